// Deleting every study of a system, on each engine: a batch at a time with a transaction per
// study (other writes go ahead in between), stopping part-way when aborted, recorded once with
// the count, and as a background task.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countSystemStudies, deleteSystemStudies, deleteSystemStudiesTask } from '../../src/admin/delete-studies.js';
import { readAudit } from '../../src/audit/log.js';
import { importFile } from '../../src/ingest/import-file.js';
import { loadSettings } from '../../src/settings/store.js';
import { productTaskKinds } from '../../src/tasks/kinds.js';
import { enqueueTask } from '../../src/tasks/queue.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { quietLog, waitForState } from '../tasks/helpers.js';
import { importCorpus } from '../web/fixtures.js';

const CONTINUED = ['CT-RDSR-Siemens-Continued-1.dcm', 'CT-RDSR-Siemens-Continued-2.dcm'];
const OTHER = 'CT-RDSR-Siemens_Flash-TAP-SS.dcm';

for (const engine of ENGINES) {
  describe(`deleting the studies of a system (${engine})`, () => {
    let t: TestDb;
    let ids: Map<string, number>;
    let equipmentId: number;

    beforeEach(async () => {
      t = await createTestDb(engine);
      ids = await importCorpus(t.db, [...CONTINUED, OTHER]);
      equipmentId = (await t.db.kysely.selectFrom('study').select('equipment_id').where('id', '=', ids.get(CONTINUED[0]!)!).executeTakeFirstOrThrow()).equipment_id;
    });
    afterEach(async () => {
      await t.cleanup();
    });

    const rowsLeft = async () => {
      const q = t.db.kysely;
      const studies = (await q.selectFrom('study').select('id').orderBy('id').execute()).map((r) => r.id);
      const parts = await Promise.all(
        (['ct_event', 'proj_event', 'object_uid'] as const).map(async (table) => [...new Set((await q.selectFrom(table).select('study_id').execute()).map((r) => r.study_id))].sort((a, b) => a - b)),
      );
      return { studies, parts };
    };

    it('deletes a study at a time, with nothing held open between studies, and records the count once', async () => {
      const selection = { equipmentId, upToId: Math.max(...ids.values()) };
      expect(await countSystemStudies(t.db.kysely, selection)).toBe(2);
      const progress: [number, number][] = [];
      let imported: number | null = null;
      const result = await deleteSystemStudies(t.db, selection, { username: 'alice' }, {
        batchSize: 1,
        progress: async (done, total) => {
          progress.push([done, total]);
          // Between two studies another writer gets in (an import, with its own transaction).
          if (imported === null) imported = (await importFile(t.db, await loadSettings(t.db.kysely), corpusFile('CT-RDSR-GEPixelMed.dcm'))).studyId ?? null;
        },
      });
      expect(result).toEqual({ deleted: 2, total: 2 });
      expect(progress).toEqual([
        [1, 2],
        [2, 2],
      ]);
      const other = ids.get(OTHER)!;
      expect(await rowsLeft()).toEqual({ studies: [other, imported], parts: [[other, imported], [], [other, imported]] });
      const entries = await readAudit(t.db.kysely, { action: 'system.delete-studies' });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor: 'alice', target: `system ${equipmentId} (OpenREM CONTINUED)`, details: { deleted: 2, selected: 2, complete: true } });
      expect(await readAudit(t.db.kysely, { action: 'study.delete' })).toEqual([]);
    });

    it('stops when aborted, saying how many were deleted', async () => {
      const controller = new AbortController();
      const run = deleteSystemStudies(t.db, { equipmentId, upToId: Math.max(...ids.values()) }, { username: 'alice' }, {
        batchSize: 1,
        signal: controller.signal,
        progress: () => controller.abort(new Error('stop')),
      });
      await expect(run).rejects.toThrow('stop');
      expect((await rowsLeft()).studies).toHaveLength(2);
      const [entry] = await readAudit(t.db.kysely, { action: 'system.delete-studies' });
      expect(entry!.details).toMatchObject({ deleted: 1, selected: 2, complete: false });
    });

    it('runs as a background task for the one who asked', async () => {
      const worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: productTaskKinds, log: quietLog, pollMs: 50 });
      await worker.start();
      try {
        const task = await enqueueTask(t.db, deleteSystemStudiesTask, { equipmentId, upToId: ids.get(CONTINUED[0]!)! }, { startedBy: { id: null, name: 'bob' } });
        const row = await waitForState(t.db, task.id, ['done', 'failed']);
        expect(row.reason).toBeNull();
        expect(JSON.parse(row.result!)).toEqual({ deleted: 1, total: 1 });
        expect(row.message).toBe('1 of 1 studies deleted');
      } finally {
        await worker.stop();
      }
      expect((await rowsLeft()).studies).toEqual([ids.get(CONTINUED[1]!), ids.get(OTHER)]);
      const [entry] = await readAudit(t.db.kysely, { action: 'system.delete-studies' });
      expect(entry).toMatchObject({ actor: 'bob', details: { deleted: 1, selected: 1, complete: true } });
    });
  });
}
