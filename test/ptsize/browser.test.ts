// A patient size import as a person does it, in a real browser with a worker in the server:
// choose the file, check the columns, start it, watch its progress, read the log.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { sizeImportTask } from '../../src/ptsize/task.js';
import { defineTaskKind, TaskRegistry } from '../../src/tasks/kind.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { buildApp } from '../../src/web/app.js';
import { listen } from '../../src/web/server.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { signIn } from '../helpers/web.js';
import { quietLog } from '../tasks/helpers.js';
import { facts, importScenario, sizes } from './helpers.js';

/** Enough rows for several batches, so the import has a part-way state to show. */
const FILLER_ROWS = 150_000;

/**
 * The size import task, held before its next batch once it has reported progress part-way
 * until `release` is called: the page is then bound to see it running whatever the machine's
 * speed. Held outside a transaction, so the worker's progress writes still go through.
 */
function heldSizeImport(): { kind: typeof sizeImportTask; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding = false;
  const kind = defineTaskKind({
    ...sizeImportTask,
    run: (params, ctx) => {
      const kysely = new Proxy(ctx.db.kysely, {
        get(target, prop) {
          if (prop !== 'transaction') {
            // Kysely keeps its state in private fields, so its methods must run on the real object.
            const value = Reflect.get(target, prop) as unknown;
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          }
          return () => {
            const builder = target.transaction();
            return {
              async execute<T>(fn: Parameters<typeof builder.execute<T>>[0]): Promise<T> {
                if (holding) await released;
                return builder.execute(fn);
              },
            };
          };
        },
      });
      return sizeImportTask.run(params, {
        ...ctx,
        db: { ...ctx.db, kysely, close: () => ctx.db.close() },
        progress(fraction, message) {
          ctx.progress(fraction, message);
          if (fraction !== null && fraction > 0 && fraction < 1) holding = true;
        },
      });
    },
  });
  return { kind, release };
}

async function writeUpload(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('Acc num;height;weight;file\r\n');
  for (const r of facts.update.rows) out.write(`${r.accessionNumber};${r.height};${r.weight.replace('.', ',')};x.dcm\r\n`);
  for (let i = 0; i < FILLER_ROWS; i++) if (!out.write(`NOT-STORED-${i};170;70;y.dcm\r\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

describe.each(ENGINES)('patient size import in a browser on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let worker: TaskWorker;
  let browser: Browser;
  let page: Page;
  let base: string;
  let ids: number[];
  const held = heldSizeImport();
  const dir = mkdtempSync(join(tmpdir(), 'openrem-ptsize-browser-'));
  const problems: string[] = [];

  beforeAll(async () => {
    t = await createTestDb(engine);
    ids = await importScenario(t.db);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
    base = await listen(app, { host: '127.0.0.1', port: 0 });
    worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: new TaskRegistry([held.kind]), log: quietLog, pollMs: 200 });
    await worker.start();
    const user = await signIn(t.db, { roles: ['importsize', 'view'] });
    browser = await launchBrowser();
    page = await openPage(browser, problems, { viewport: { width: 1366, height: 900 }, session: { cookie: user.cookie, base } });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.close();
    await t?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads, maps columns, shows progress and then the log', async () => {
    const file = join(dir, 'sizes.csv');
    await writeUpload(file);
    await page.goto(base);
    await page.getByRole('link', { name: 'Patient size' }).click();
    await page.waitForURL(/\/ptsize$/);
    await page.getByLabel('CSV file').setInputFiles(file);
    await Promise.all([page.waitForURL(/\/ptsize\/\d+\/columns$/), page.getByRole('button', { name: 'Upload and choose columns' }).click()]);
    expect(await page.locator('p.meta').innerText()).toContain('read as UTF-8, semicolon-separated, 4 columns.');
    expect(await page.locator('table.preview tbody tr').first().innerText()).toBe('2\tACC12345601\t170\t90\tx.dcm');
    // The guesses are right; the user confirms them and starts the import.
    expect(await page.getByLabel('Study identifier column').inputValue()).toBe('Acc num');
    expect(await page.getByLabel('Height column').inputValue()).toBe('height');
    expect(await page.getByLabel('Weight column').inputValue()).toBe('weight');
    await Promise.all([page.waitForURL(/\/ptsize\/\d+$/), page.getByRole('button', { name: 'Import' }).click()]);

    // While it runs: a bar part-way and the rows read so far; then the outcome and the log.
    await page.waitForFunction(
      () => {
        const bar = document.querySelector('#size-import-status progress') as HTMLProgressElement | null;
        const message = document.querySelector('#size-import-status [data-task-message]')?.textContent ?? '';
        return bar !== null && bar.value > 0 && bar.value < 1 && /^[\d,]+ rows read: /.test(message);
      },
      undefined,
      { timeout: 30_000, polling: 100 },
    );
    held.release();
    await page.waitForSelector('#size-import-status .task-state.done', { timeout: 90_000 });
    expect(await page.locator('.size-counts').innerText()).toBe(`${(FILLER_ROWS + 3).toLocaleString('en')} rows read: 2 studies updated, 1 skipped, ${FILLER_ROWS.toLocaleString('en')} rows not found, 0 rows with errors`);
    const rows = page.locator('table.size-log tbody tr');
    expect(await rows.nth(1).innerText()).toBe(`3\tupdated\t74624646290\tstudy ${ids[1]} (CT, 2013-06-11): height set to 1.65 m; weight 75 kg kept (file: 80.6 kg)`);
    await page.getByRole('link', { name: /^updated 2$/ }).click();
    expect(await rows.count()).toBe(2);
    await page.getByRole('link', { name: `study ${ids[2]}` }).click();
    await page.waitForURL(new RegExp(`/studies/${ids[2]}$`));
    const after = await sizes(t.db, ids);
    expect(after[2]!.heightM).toBeCloseTo(1.98, 7);
    expect(after[2]!.weightKg).toBeCloseTo(102.3, 7);
    expect(problems).toEqual([]);
  });
});
