// A real browser on a real server: sign in → home → CT list → filter → a CT study, reading
// the values a physicist would read off the page.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { listen } from '../../src/web/server.js';
import { launchBrowser, signInInBrowser } from '../helpers/browser.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { createTestUser, TEST_PASSWORD } from '../helpers/web.js';
import { importCorpus, RF_FILE } from '../web/fixtures.js';

describe.each(ENGINES)('browser on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await createTestDb(engine);
    await importCorpus(t.db, ['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-GEPixelMed.dcm', 'CT-ESR-GE_Optima.dcm', RF_FILE]);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    base = await listen(app, { host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    // Script errors and refused loads (the content security policy) would show here.
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  it('goes from the home page to the CT list, filters it, and opens a study with its doses and units', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    await page.goto(base);
    await page.waitForURL(`${base}login`);
    await signInInBrowser(page, base, user.username, TEST_PASSWORD);
    expect(page.url()).toBe(base);
    await expect(page.locator('#modality-ct small').innerText()).resolves.toBe('3 studies');
    expect(await page.locator('#modality-rf tbody tr').count()).toBe(1);
    expect(await page.locator('#modality-dx').count()).toBe(0);
    expect(await page.locator('footer').innerText()).toMatch(/OpenREM 0\.1\.0\s+Documentation/);

    await page.locator('#heading-ct a').click();
    await page.waitForURL(`${base}ct`);
    expect(await page.locator('#study-count').innerText()).toBe('Studies 1–3 of 3');
    expect(await page.locator('table.studies tbody tr').count()).toBe(3);

    await page.getByLabel('Study description').fill('thorax');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/studyDescription=thorax/);
    expect(await page.locator('#study-count').innerText()).toBe('Studies 1–1 of 1');

    // The per-page selector submits itself (client script) and keeps the filter.
    await page.locator('form.per-page select').selectOption('10');
    await page.waitForURL(/perPage=10/);
    expect(page.url()).toContain('studyDescription=thorax');

    const row = page.locator('table.studies tbody tr').first();
    expect(await row.locator('td').nth(2).innerText()).toBe('Thorax^TAP (Adult)');
    expect(await row.locator('td').last().innerText()).toBe('724.52');
    await row.locator('a').first().click();
    await page.waitForURL(/\/studies\/\d+$/);

    expect(await page.locator('h1').innerText()).toContain('CT study 1997-01-01');
    expect(await page.locator('.overview').innerText()).toContain('724.52\u00a0mGy·cm');
    const headings = await page.locator('table.events thead th').allInnerTexts();
    expect(headings.map((h) => h.replace(/\s+/g, ' ').trim())).toEqual(
      expect.arrayContaining(['CTDIvol mGy', 'DLP mGy·cm', 'Scanning length mm', 'Exposure time s', 'kVp kV', 'Tube current mA']),
    );
    // Event 4 (TAP): CTDIvol 9.91 mGy in the IEC body phantom, DLP 708.2 mGy·cm.
    const tap = page.locator('table.events tbody tr').nth(3);
    const column = (name: string) => headings.findIndex((h) => h.replace(/\s+/g, ' ').trim() === name);
    expect(await tap.locator('td').nth(column('Protocol')).innerText()).toBe('TAP');
    expect(await tap.locator('td').nth(column('CTDIvol mGy')).innerText()).toBe('9.91\nIEC Body Dosimetry Phantom');
    expect(await tap.locator('td').nth(column('DLP mGy·cm')).innerText()).toBe('708.2');

    await page.locator('#event-4 summary').click();
    const details = page.locator('#event-4 table.key-values').first();
    await expect(details.locator('tr', { hasText: 'Mean CTDIvol' }).locator('td').first().innerText()).resolves.toBe('9.91\u00a0mGy');
    await expect(details.locator('tr', { hasText: /^DLP/ }).locator('td').first().innerText()).resolves.toBe('708.2\u00a0mGy·cm');
    expect(problems).toEqual([]);
  });

  it('shows a readable 400 page for a bad address', async () => {
    const res = await page.goto(`${base}ct?dateFrom=yesterday`);
    expect(res?.status()).toBe(400);
    expect(await page.locator('.problems').innerText()).toBe('dateFrom: expected a date as YYYY-MM-DD');
  });
});
