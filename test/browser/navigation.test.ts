// A real browser on a real server: sign in → home → CT list → filter → a CT study, reading
// the values a physicist would read off the page.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { listen } from '../../src/web/server.js';
import { launchBrowser, openPage, signInInBrowser } from '../helpers/browser.js';
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
    page = await openPage(browser, problems);
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
    // Only modalities with studies are offered.
    expect(await page.getByRole('navigation', { name: 'Modalities' }).getByRole('link').allInnerTexts()).toEqual(['CT', 'Fluoroscopy']);

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
    // Total DLP 724.52 mGy·cm, rounded for reading; the full value on pointing at it.
    expect(await row.locator('td').last().innerText()).toBe('724.5');
    expect(await row.locator('td').last().locator('span').getAttribute('title')).toBe('724.52');
    await row.locator('a').first().click();
    await page.waitForURL(/\/studies\/\d+$/);

    expect(await page.locator('h1').innerText()).toContain('CT study 1997-01-01');
    expect(await page.locator('.overview').innerText()).toContain('724.5\u00a0mGy·cm');
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

  it('leads from the footer to the help page, which shows the section asked for', async () => {
    await page.goto(`${base}ct`);
    await page.locator('footer').getByRole('link', { name: 'Units' }).click();
    await page.waitForURL(`${base}help#units`);
    const units = page.locator('#units');
    expect(await units.locator('h2').innerText()).toBe('Units');
    expect(await units.locator('tbody tr').first().innerText()).toBe('Dose area product (DAP)\tGy·m²\tcGy·cm²\t×1e6');
    await expect(units.isVisible()).resolves.toBe(true);
    expect(problems).toEqual([]);
  });

  it('filters as typed: 5e2 and 0800 are read as meant; a bad time comes back beside its field, the form kept, no studies', async () => {
    // A refused filter answers 400, which the browser reports on its console.
    const own: string[] = [];
    const user = await createTestUser(t.db, { roles: ['view'] });
    const p = await openPage(browser, own, { expectedErrors: /status of 400/ });
    await signInInBrowser(p, base, user.username, TEST_PASSWORD);
    await p.goto(`${base}ct`);
    const form = p.getByRole('form', { name: 'Filters' });
    const time = form.locator('fieldset', { hasText: 'Time of day' });
    const dlp = form.locator('fieldset', { hasText: 'Total DLP' });
    await form.locator('summary', { hasText: 'Dose and acquisitions' }).click();
    // The number input takes 5e2 and sends it as typed.
    await dlp.getByLabel('From').fill('5e2');
    await time.getByLabel('From').fill('0800');
    await time.getByLabel('To').fill('1200');
    await form.getByRole('button', { name: 'Apply' }).click();
    await p.waitForURL(/dlpMin=5e2/);
    // At least 500 mGy·cm between 08:00 and 12:00: CT-RDSR-GEPixelMed (586.34 mGy·cm at 08:58).
    expect(await p.locator('#study-count').innerText()).toBe('Studies 1–1 of 1');
    expect(await p.locator('table.studies tbody tr td').last().innerText()).toBe('586.3');
    expect(await dlp.getByLabel('From').inputValue()).toBe('500');
    expect(await time.getByLabel('From').inputValue()).toBe('08:00');

    await time.getByLabel('From').fill('25:99');
    await form.getByRole('button', { name: 'Apply' }).click();
    await p.waitForURL(/timeFrom=25%3A99/);
    expect(await p.locator('h1').innerText()).toBe('CT studies');
    expect(await p.locator('#filter-timeFrom-error').innerText()).toBe(
      '“25:99” is not a time of day; expected a time of day as HH:MM, 00:00 to 23:59, such as 09:30 (0930 also works)',
    );
    expect(await time.getByLabel('From').getAttribute('aria-invalid')).toBe('true');
    // What was typed is kept, the good and the bad; no studies until it is corrected.
    expect(await time.getByLabel('From').inputValue()).toBe('25:99');
    expect(await time.getByLabel('To').inputValue()).toBe('12:00');
    expect(await dlp.getByLabel('From').inputValue()).toBe('500');
    expect(await p.locator('table.studies').count()).toBe(0);
    expect(await p.locator('#filter-problems').innerText()).toContain('No studies are listed: correct the marked filters and apply them again.');

    await time.getByLabel('From').fill('0000');
    await form.getByRole('button', { name: 'Apply' }).click();
    await p.waitForURL(/timeFrom=0000/);
    // From midnight: CT-RDSR-Siemens_Flash-TAP-SS (724.52 mGy·cm at 00:00) as well.
    expect(await p.locator('#study-count').innerText()).toBe('Studies 1–2 of 2');
    expect(await p.locator('#filter-timeFrom-error').count()).toBe(0);
    expect(own).toEqual([]);
  });
});
