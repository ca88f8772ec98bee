// The exports page with more exports under way than it lists: the running ones come first
// (they have progress and an abort button), then the queue in the order it will run, and the
// page says how many more wait beyond those shown.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { listExportKindFor } from '../../src/export/kinds.js';
import { enqueueTask } from '../../src/tasks/index.js';
import { buildApp } from '../../src/web/app.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { requester, signIn } from '../helpers/web.js';
import { quietLog } from '../tasks/helpers.js';

const QUEUED = 205;

describe.each(ENGINES)('a long export queue on the exports page (%s)', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestDb(engine);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('lists the running exports first, then the queue in order, and counts the rest', async () => {
    const exporter = await signIn(t.db, { roles: ['view', 'export'] });
    const ids: number[] = [];
    for (let i = 0; i < QUEUED; i++) {
      const task = await enqueueTask(t.db, listExportKindFor('CT'), { format: 'csv', pid: false, filter: {} }, { startedBy: { id: exporter.user.id, name: exporter.user.username } });
      ids.push(task.id);
    }
    // No worker here: the two newest are marked as running, as a worker would have them.
    const runningIds = ids.slice(-2);
    await t.db.kysely.updateTable('task').set({ state: 'running', attempts: 1, started_at: new Date().toISOString(), progress: 0.5 }).where('id', 'in', runningIds).execute();

    const page = (await requester(app, exporter)('/exports')).body;
    expect(page).toContain('Under way <small>205</small>');
    const rows = [...page.matchAll(/data-task-row="(\d+)"/g)].map((m) => Number(m[1]));
    expect(rows).toHaveLength(200);
    expect(rows.slice(0, 3)).toEqual([...runningIds, ids[0]]);
    expect(rows.at(-1)).toBe(ids[197]);
    expect(page).toContain('The first 200 are shown; 5 more are queued behind them.');
  });
});
