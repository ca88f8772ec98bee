// The task page in a real browser with a worker in the server: the bar of a running task
// moves without reloading, aborting it from the page stops it, and the lists refresh.
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { TaskRegistry } from '../../src/tasks/kind.js';
import { enqueueTask } from '../../src/tasks/queue.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { buildApp } from '../../src/web/app.js';
import { listen } from '../../src/web/server.js';
import { launchBrowser, openPage } from '../helpers/browser.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { signIn } from '../helpers/web.js';
import { retryableSteps, testTaskKinds } from './fixtures/test-kinds.mjs';
import { quietLog, waitForState } from './helpers.js';

describe.each(ENGINES)('task page in a browser on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let worker: TaskWorker;
  let browser: Browser;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  beforeAll(async () => {
    t = await createTestDb(engine);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
    base = await listen(app, { host: '127.0.0.1', port: 0 });
    worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: new TaskRegistry(testTaskKinds), log: quietLog, pollMs: 200 });
    await worker.start();
    const admin = await signIn(t.db, { roles: ['admin'] });
    browser = await launchBrowser();
    page = await openPage(browser, problems, { session: { cookie: admin.cookie, base } });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.close();
    await t?.cleanup();
  });

  it('follows a running task live and aborts it from the page', async () => {
    const task = await enqueueTask(t.db, retryableSteps, { steps: 200, stepMs: 50 }, { label: 'Slow test task' });
    await waitForState(t.db, task.id, ['running']);
    await page.goto(`${base}admin/tasks`);
    const row = page.locator(`#task-lists tr[data-task-row="${task.id}"]`);
    expect(await row.locator('td').first().innerText()).toContain('Slow test task');
    const bar = row.locator('progress');
    const first = await bar.evaluate((el: HTMLProgressElement) => el.value);
    // The bar moves while the page stays loaded (polling /api/tasks/:id).
    await page.waitForFunction(
      ([id, before]) => {
        const el = document.querySelector(`[data-task-id="${id}"] progress`) as HTMLProgressElement | null;
        return el !== null && el.value > before + 0.02;
      },
      [task.id, first] as const,
      { timeout: 10_000 },
    );
    expect(await row.locator('[data-task-message]').innerText()).toMatch(/^step \d+ of 200$/);

    await row.getByRole('button', { name: 'Abort' }).click();
    await page.waitForURL(/abort=requested/);
    expect(await page.locator('p.success').innerText()).toBe(`Task #${task.id} is being stopped; it ends within a few seconds.`);
    const ended = await waitForState(t.db, task.id, ['done', 'failed', 'aborted']);
    expect(ended.state).toBe('aborted');
    // Without reloading, the list shows it among the recent tasks, aborted.
    const recent = page.locator('#task-lists section').nth(2).locator(`tr[data-task-row="${task.id}"]`);
    await recent.waitFor({ timeout: 10_000 });
    expect(await recent.locator('.task-state').innerText()).toBe('aborted');
    expect(await recent.innerText()).toContain('aborted by');
    expect(problems).toEqual([]);
  });
});
