// Users of each role in a real browser: each signs in through the form and sees what their
// roles allow, can do it, and is refused the rest.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { parseSettings } from '../../src/settings/site.js';
import { saveSettings } from '../../src/settings/store.js';
import { buildApp } from '../../src/web/app.js';
import { listen } from '../../src/web/server.js';
import { launchBrowser, openPage, signInInBrowser } from '../helpers/browser.js';
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
    // Refusals (403) and forms sent back (400) are answers, not faults.
    const page = await openPage(browser, problems, { expectedErrors: /status of 40[03]/ });
    await signInInBrowser(page, base, user.username, TEST_PASSWORD);
    return { page, username: user.username };
  }

  /** The links of the header, in order (those of the closed Config menu too). */
  const headerLinks = async (page: Page) => (await page.locator('header a').allTextContents()).map((s) => s.trim());

  /** Opens a page the user may not use: the refusal names the role it needs. */
  async function refused(page: Page, path: string, role: string): Promise<void> {
    const res = await page.goto(`${base}${path}`);
    expect(res?.status(), path).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('Not allowed');
    expect(await page.locator('.error-page p').first().innerText()).toContain(`does not have the ${role} role`);
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
    // Studies, but no way to change or export them.
    await page.goto(`${base}ct`);
    expect(await page.getByRole('link', { name: 'Delete' }).count()).toBe(0);
    expect(await page.locator('form.export-form').count()).toBe(0);
    await refused(page, 'admin/users', 'admin');
    await refused(page, 'exports', 'export');
    await refused(page, 'config/patient-id', 'admin');
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

  it('an export user exports the CT list as filtered and finds it on the Exports page; patient identifiers only with pid', async () => {
    const { page } = await pageFor({ roles: ['view', 'export'] });
    expect(await headerLinks(page)).toContain('Exports');
    await page.goto(`${base}ct?studyDescription=thorax`);
    const form = page.locator('form.export-form');
    expect(await form.getByLabel('with patient identifiers').count()).toBe(0);
    await form.getByLabel('Export as').selectOption({ label: 'CSV' });
    await form.getByRole('button', { name: 'Export' }).click();
    await page.waitForURL(/\/exports\?queued=\d+$/);
    expect(await page.locator('h1').innerText()).toBe('Exports');
    expect(await page.locator('.success').innerText()).toMatch(/^Export #\d+ is queued/);
    expect(await page.locator('table.exports-live').innerText()).toContain('CT export (CSV)');
    const withPid = await pageFor({ roles: ['view', 'export', 'pid'] });
    await withPid.page.goto(`${base}ct`);
    expect(await withPid.page.locator('form.export-form').getByLabel('with patient identifiers').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('a patient size importer also sees the studies the sizes belong to: every role includes view', async () => {
    const { page } = await pageFor({ roles: ['importsize'] });
    expect(page.url()).toBe(base);
    expect(await page.locator('nav[aria-label="Modalities"] a').allInnerTexts()).toEqual(['CT']);
    await page.locator('header a', { hasText: 'Patient size' }).click();
    await page.waitForURL(`${base}ptsize`);
    expect(await page.locator('h1').innerText()).toBe('Patient size imports');
    await page.goto(`${base}ct`);
    expect(await page.locator('table.studies tbody tr').count()).toBe(2);
    await page.goto(`${base}studies/${studyId}`);
    expect(await page.locator('h1').innerText()).toContain('CT study 1997-01-01');
    // Refused what the role does not give; the way back leads to a page that opens.
    await refused(page, 'admin/users', 'admin');
    await page.getByRole('link', { name: 'Back to the home page' }).click();
    await page.waitForURL(base);
    expect(await page.locator('h1').innerText()).not.toBe('Not allowed');
    expect(problems).toEqual([]);
  });

  it('a user without any role has their account only: every link leads to a page they may open; they change their password', async () => {
    const { page, username } = await pageFor({ roles: [] });
    expect(page.url()).toBe(`${base}account/password`);
    expect(await headerLinks(page)).toEqual(['OpenREM', username]);
    expect(await page.locator('a.brand').getAttribute('href')).toBe('/account/password');
    await refused(page, '', 'view');
    await refused(page, 'ct', 'view');
    await page.getByRole('link', { name: 'Go to your account' }).click();
    await page.waitForURL(`${base}account/password`);
    await page.getByLabel('Current password').fill(TEST_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('copper-kettle-meadow-42');
    await page.getByLabel('New password again').fill('copper-kettle-meadow-42');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.locator('.success').innerText()).toBe('Your password has been changed. Your other sessions have been signed out.');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}login?out=1`);
    await signInInBrowser(page, base, username, 'copper-kettle-meadow-42');
    expect(page.url()).toBe(`${base}account/password`);
    expect(problems).toEqual([]);
  });

  it('an administrator with no other role sees the studies they administer, and runs users, tasks, quarantine and configuration', async () => {
    const { page, username } = await pageFor({ roles: ['admin'] });
    expect(page.url()).toBe(base);
    expect(await headerLinks(page)).toEqual([
      'OpenREM',
      'CT',
      'Overview',
      'System display names',
      'Patient identifiers',
      'Not-patient indicators',
      'After import',
      'Users',
      'Tasks',
      'Quarantine',
      username,
    ]);
    await page.goto(`${base}studies/${studyId}`);
    expect(await page.locator('h1').innerText()).toContain('CT study 1997-01-01');
    await page.goto(`${base}ct`);
    await page.getByRole('link', { name: 'Delete' }).first().click();
    await page.waitForURL(/\/studies\/\d+\/delete/);
    expect(await page.locator('h1').innerText()).toBe('Delete this study?');
    await page.locator('header a', { hasText: 'Quarantine' }).click();
    await page.waitForURL(`${base}admin/quarantine`);
    await page.locator('.config-menu summary').click();
    await page.getByRole('link', { name: 'System display names' }).click();
    await page.waitForURL(`${base}config/display-names`);
    await page.locator('.config-menu summary').click();
    await page.getByRole('link', { name: 'Patient identifiers' }).click();
    await page.waitForURL(`${base}config/patient-id`);
    expect(await page.locator('h1').innerText()).toBe('Patient identifiers');
    expect(problems).toEqual([]);
  });
});
