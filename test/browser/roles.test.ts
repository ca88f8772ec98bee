// Users of different roles in a real browser: each signs in through the form and sees what
// their roles allow, and nothing more.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { parseSettings } from '../../src/settings/site.js';
import { saveSettings } from '../../src/settings/store.js';
import { buildApp } from '../../src/web/app.js';
import { listen } from '../../src/web/server.js';
import { launchBrowser, signInInBrowser } from '../helpers/browser.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { createTestUser, TEST_PASSWORD } from '../helpers/web.js';
import { importCorpus } from '../web/fixtures.js';

describe.each(ENGINES)('roles in the browser on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let studyId: number;
  const problems: string[] = [];

  /** A fresh browser profile (no cookies), signed in as a new user with these roles. */
  async function pageFor(roles: Parameters<typeof createTestUser>[1]): Promise<{ page: Page; username: string }> {
    const user = await createTestUser(t.db, roles);
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => {
      // Refusals (403) and forms sent back (400) are answers, not faults.
      if (msg.type() === 'error' && !/status of 40[03]/.test(msg.text())) problems.push(msg.text());
    });
    await signInInBrowser(page, base, user.username, TEST_PASSWORD);
    return { page, username: user.username };
  }

  const patientRows = async (page: Page) => (await page.locator('#patient th').allInnerTexts()).map((s) => s.trim());

  beforeAll(async () => {
    t = await createTestDb(engine);
    await saveSettings(t.db.kysely, parseSettings({ patientId: { storePatientName: true, storePatientId: true, storePatientBirthDate: true } }));
    const ids = await importCorpus(t.db, ['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-GEPixelMed.dcm']);
    studyId = ids.get('CT-RDSR-Siemens_Flash-TAP-SS.dcm')!;
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    base = await listen(app, { host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  it('a view user sees the CT list and studies, but no user administration and no patient name', async () => {
    const { page, username } = await pageFor({ roles: ['view'] });
    expect(page.url()).toBe(base);
    expect(await page.locator('header .username').innerText()).toBe(username);
    expect(await page.locator('header a', { hasText: 'Users' }).count()).toBe(0);
    await page.locator('nav a', { hasText: 'CT' }).click();
    await page.waitForURL(`${base}ct`);
    expect(await page.locator('table.studies tbody tr').count()).toBe(2);
    await page.goto(`${base}studies/${studyId}`);
    expect(await patientRows(page)).toEqual(expect.arrayContaining(['Sex', 'Weight']));
    expect(await patientRows(page)).not.toContain('Name');
    expect(await page.locator('body').innerText()).not.toContain('SMITH');
    const admin = await page.goto(`${base}admin/users`);
    expect(admin?.status()).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('Not allowed');
    expect(await page.locator('.error-page p').first().innerText()).toContain('does not have the admin role');
  });

  it('a pid user sees the patient name, ID and birth date of a study where they are stored', async () => {
    const { page } = await pageFor({ roles: ['view', 'pid'] });
    await page.goto(`${base}studies/${studyId}`);
    const value = (label: string) => page.locator(`#patient tr:has(th:text-is("${label}")) td`).innerText();
    await expect(value('Name')).resolves.toBe('SMITH^JOHN');
    await expect(value('ID')).resolves.toBe('123456');
    await expect(value('Birth date')).resolves.toBe('1929-05-19');
  });

  it('an admin opens user administration from the header, adds a user after a validation message, and signs out', async () => {
    const { page } = await pageFor({ roles: ['view', 'admin'] });
    await page.locator('header a', { hasText: 'Users' }).click();
    await page.waitForURL(`${base}admin/users`);
    expect(await page.locator('h1').innerText()).toBe('Users');
    await page.getByRole('link', { name: 'Add a user' }).click();
    await page.getByLabel('User name').fill('new.physicist');
    await page.getByLabel('Full name').fill('New Physicist');
    await page.getByLabel('export:').check();
    await page.getByLabel('Password', { exact: true }).fill('password123');
    await page.getByLabel('Password again').fill('password123');
    await page.getByRole('button', { name: 'Add user' }).click();
    expect(await page.locator('.form-problems li').allInnerTexts()).toEqual(['Password: is a common password (adding digits or symbols does not make it safe)']);
    // What was typed is kept, the passwords excepted.
    expect(await page.getByLabel('Full name').inputValue()).toBe('New Physicist');
    expect(await page.getByLabel('export:').isChecked()).toBe(true);
    await page.getByLabel('Password', { exact: true }).fill('lighthouse-orbit-tulip-5');
    await page.getByLabel('Password again').fill('lighthouse-orbit-tulip-5');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.waitForURL(/\/admin\/users\?created=/);
    expect(await page.locator('.success').innerText()).toBe('User new.physicist added.');
    expect(await page.locator('tr[data-username="new.physicist"] .role').allInnerTexts()).toEqual(['view', 'export']);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}login?out=1`);
    expect(await page.locator('.success').innerText()).toBe('You have signed out.');
    await page.goto(`${base}admin/users`);
    await page.waitForURL(/\/login\?next=/);
    // The new user signs in with the password the admin gave.
    await signInInBrowser(page, base, 'new.physicist', 'lighthouse-orbit-tulip-5');
    expect(await page.locator('header .username').innerText()).toBe('new.physicist');
    expect(problems).toEqual([]);
  });
});
