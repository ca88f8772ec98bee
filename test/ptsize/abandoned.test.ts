// A patient size import whose worker died mid-run (the server killed): the next worker to
// start ends it failed with the reason, and deletes its uploaded file (patient identifiers)
// at once instead of at the next upload.
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLayout } from '../../src/ptsize/read-csv.js';
import { createSizeImport, getSizeImport, setQueued, setRunning } from '../../src/ptsize/store.js';
import { sizeImportTask } from '../../src/ptsize/task.js';
import { newUploadPath } from '../../src/ptsize/uploads.js';
import { enqueueTask, TaskRegistry, TaskWorker } from '../../src/tasks/index.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { quietLog, taskRow } from '../tasks/helpers.js';
import { MAPPING } from './helpers.js';

/** A process id no process has: above Linux's largest (2^22). */
const DEAD_PID = 4_194_400;

describe.each(ENGINES)('a size import left by a dead worker on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(engine);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('is failed with the reason and its file deleted when the next worker starts', async () => {
    const upload = await newUploadPath(t.dataDir);
    writeFileSync(upload.absolute, 'Acc no.,height,weight\nA1,170,70\n');
    const imp = await createSizeImport(t.db, {
      source: 'web upload',
      fileName: 'sizes.csv',
      uploadPath: upload.stored,
      layout: await readLayout(upload.absolute),
      startedBy: { id: null, name: 'tester' },
      state: 'uploaded',
    });
    const task = await enqueueTask(t.db, sizeImportTask, { importId: imp.id }, { startedBy: { id: null, name: 'tester' } });
    expect(await setQueued(t.db, imp.id, MAPPING, task.id)).toBe(true);
    // As a worker of this machine left it when it was killed mid-run.
    await t.db.kysely.updateTable('task').set({ state: 'running', attempts: 1, worker_host: hostname(), worker_pid: DEAD_PID, started_at: new Date().toISOString(), heartbeat_at: new Date().toISOString() }).where('id', '=', task.id).execute();
    await setRunning(t.db, imp.id);

    const worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: new TaskRegistry([sizeImportTask]), log: quietLog, pollMs: 50 });
    await worker.start();
    await worker.stop();

    expect((await taskRow(t.db, task.id)).state).toBe('failed');
    const after = (await getSizeImport(t.db, imp.id))!;
    expect(after.state).toBe('failed');
    expect(after.reason).toMatch(/no longer running; this kind of task is not started again automatically$/);
    expect(after.uploadPath).toBeNull();
    expect(existsSync(upload.absolute)).toBe(false);
  });
});
