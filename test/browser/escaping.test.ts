// Stored text is shown as text in a real browser: a study description holding a <script> and a
// station name that tries to break out of an attribute are read on every page that shows
// them, and nothing of theirs runs or becomes markup.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { listen } from '../../src/web/server.js';
import { launchBrowser, openPage, signInInBrowser } from '../helpers/browser.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { createTestUser, TEST_PASSWORD } from '../helpers/web.js';
import { HOSTILE_DESCRIPTION, HOSTILE_STATION, importCorpus, importHostileStudy } from '../web/fixtures.js';

describe.each(ENGINES)('hostile stored text in a browser on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let studyId: number;
  const problems: string[] = [];
  const dialogs: string[] = [];

  beforeAll(async () => {
    t = await createTestDb(engine);
    await importCorpus(t.db, ['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    studyId = await importHostileStudy(t.db);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    base = await listen(app, { host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
    page = await openPage(browser, problems);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const admin = await createTestUser(t.db, { roles: ['view', 'admin'] });
    await signInInBrowser(page, base, admin.username, TEST_PASSWORD);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  /** What the page's own scripts and markup are, after the hostile text was drawn. */
  const pageState = () =>
    page.evaluate(() => ({
      owned: (window as unknown as { owned?: number }).owned ?? null,
      scripts: Array.from(document.querySelectorAll('script'), (s) => s.getAttribute('src')?.replace(/\?.*$/, '') ?? 'inline'),
      images: document.querySelectorAll('img').length,
    }));

  it('shows the description and the station name as text on the home page, the list, the study, the display names and the delete confirmation', async () => {
    const system = `OpenREM centre médical ${HOSTILE_STATION}`;
    const pages: [string, (p: Page) => Promise<string[]>][] = [
      ['', (p) => p.locator('#modality-ct td:first-child').allInnerTexts()],
      [`ct?studyDescription=${encodeURIComponent('<script>')}`, (p) => p.locator('table.studies tbody td').allInnerTexts()],
      [`studies/${studyId}`, async (p) => [await p.locator('h1 .subtitle').innerText(), ...(await p.locator('.overview dd').allInnerTexts())]],
      ['config/display-names', (p) => p.locator('#systems-ct td.display-name').allInnerTexts()],
      [`studies/${studyId}/delete`, (p) => p.locator('table.studies tbody td').allInnerTexts()],
    ];
    for (const [path, texts] of pages) {
      await page.goto(`${base}${path}`);
      const shown = (await texts(page)).map((s) => s.trim());
      expect(shown, path).toContain(system);
      if (path !== '' && path !== 'config/display-names') expect(shown, path).toContain(HOSTILE_DESCRIPTION);
      expect(await pageState(), path).toEqual({ owned: null, scripts: ['/static/openrem.js'], images: 0 });
    }
    // The filter field shows what was typed, as typed.
    await page.goto(`${base}ct?studyDescription=${encodeURIComponent('<script>')}`);
    expect(await page.getByLabel('Study description').inputValue()).toBe('<script>');
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });
});
