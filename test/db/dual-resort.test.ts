// A unit used for radiography and fluoroscopy marked 'dual' (or fixed to DX or RF) by an
// administrator: its stored DX and RF studies are sorted again by the import rule. The two
// Dual-RDSR conformance scenarios need that action between or after imports, so they are run
// here from their case files: study 0 stays DX, study 1 RF, one equipment row.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/log.js';
import { updateSystems } from '../../src/admin/equipment.js';
import { countProjectionStudies, resortAndRecord, resortProjectionStudies, resortProjectionTask } from '../../src/admin/projection-resort.js';
import { importFile } from '../../src/ingest/import-file.js';
import { systemActivity } from '../../src/query/systems.js';
import { loadSettings } from '../../src/settings/store.js';
import { productTaskKinds } from '../../src/tasks/kinds.js';
import { enqueueTask } from '../../src/tasks/queue.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { conformanceCase, corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { quietLog, waitForState } from '../tasks/helpers.js';

interface Step {
  import: string;
  before?: string[];
  expected: { uniqueEquipmentCount?: number; studies?: { modality: string }[] };
}
interface DualCase {
  files: string[];
  steps: Step[];
  afterSteps: string[];
}

const ACTOR = { username: 'physicist' };

for (const engine of ENGINES) {
  describe(`re-sorting a unit's DX and RF studies (${engine})`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await createTestDb(engine);
    });
    afterEach(async () => {
      await t.cleanup();
    });

    const modalities = async () => (await t.db.kysely.selectFrom('study').select('modality').orderBy('id').execute()).map((r) => r.modality);
    const equipmentIds = async () => (await t.db.kysely.selectFrom('equipment').select('id').execute()).map((r) => r.id);
    const importCase = async (name: string) => {
      const r = await importFile(t.db, await loadSettings(t.db.kysely), corpusFile(name));
      expect(r.status, `${name}: ${r.message}`).toBe('imported');
    };
    const setDualAndResort = async () => {
      const [id] = await equipmentIds();
      const update = await updateSystems(t.db, [id!], { userDefinedModality: 'dual' }, ACTOR);
      expect(update.modalityChanged).toEqual([id]);
      return resortAndRecord(t.db, id!, ACTOR);
    };
    const checkExpected = async (expected: Step['expected']) => {
      if (expected.studies) expect(await modalities()).toEqual(expected.studies.map((s) => s.modality));
      if (expected.uniqueEquipmentCount !== undefined) expect(await equipmentIds()).toHaveLength(expected.uniqueEquipmentCount);
    };

    it("Dual-RDSR--dual-set-between-imports: 'dual' set and re-sorted after the DX import; the RF RDSR then imports as RF; a second re-sort changes nothing", async () => {
      const c = conformanceCase<DualCase>('Dual-RDSR--dual-set-between-imports');
      expect(c.steps.map((s) => s.import)).toEqual(['Dual-RDSR-DX.dcm', 'Dual-RDSR-RF.dcm']);
      await importCase(c.steps[0]!.import);
      await checkExpected(c.steps[0]!.expected);
      expect(c.steps[1]!.before).toHaveLength(2);
      expect(await setDualAndResort()).toEqual({ checked: 1, toDX: 0, toRF: 0 });
      await importCase(c.steps[1]!.import);
      await checkExpected(c.steps[1]!.expected);
      expect(await modalities()).toEqual(['DX', 'RF']);
      const [id] = await equipmentIds();
      expect(await resortAndRecord(t.db, id!, ACTOR)).toEqual({ checked: 2, toDX: 0, toRF: 0 });
      await checkExpected(c.steps[1]!.expected);
      const entries = await readAudit(t.db.kysely, { action: 'system.*' });
      expect(entries.map((e) => e.action)).toEqual(['system.resort', 'system.resort', 'system.update']);
      expect(entries[2]).toMatchObject({ actor: 'physicist', details: { userDefinedModality: { from: null, to: 'dual' } } });
    });

    it("Dual-RDSR--dual-set-after-imports: both imported, then 'dual' set and re-sorted twice: still DX then RF", async () => {
      const c = conformanceCase<DualCase>('Dual-RDSR--dual-set-after-imports');
      for (const step of c.steps) await importCase(step.import);
      await checkExpected(c.steps[1]!.expected);
      expect(c.afterSteps[1]).toBe('run reset_dual twice');
      expect(await setDualAndResort()).toEqual({ checked: 2, toDX: 0, toRF: 0 });
      const [id] = await equipmentIds();
      expect(await resortProjectionStudies(t.db, id!)).toEqual({ checked: 2, toDX: 0, toRF: 0 });
      await checkExpected(c.steps[1]!.expected);
    });

    it('a fixed DX or RF moves every projection study of the unit; back to dual or none sorts them by content again; the home summary follows', async () => {
      await importCase('Dual-RDSR-DX.dcm');
      await importCase('Dual-RDSR-RF.dcm');
      const [id] = await equipmentIds();
      const counts = async () => Object.fromEntries((await systemActivity(t.db.kysely)).map((m) => [m.spec.modality, m.studyCount]));
      expect(await counts()).toEqual({ DX: 1, RF: 1 });

      await updateSystems(t.db, [id!], { userDefinedModality: 'RF' }, ACTOR);
      expect(await resortProjectionStudies(t.db, id!)).toEqual({ checked: 2, toDX: 0, toRF: 1 });
      expect(await modalities()).toEqual(['RF', 'RF']);
      expect(await counts()).toEqual({ RF: 2 });

      await updateSystems(t.db, [id!], { userDefinedModality: 'DX' }, ACTOR);
      expect(await resortProjectionStudies(t.db, id!)).toEqual({ checked: 2, toDX: 2, toRF: 0 });
      expect(await counts()).toEqual({ DX: 2 });

      await updateSystems(t.db, [id!], { userDefinedModality: null }, ACTOR);
      expect(await resortProjectionStudies(t.db, id!)).toEqual({ checked: 2, toDX: 0, toRF: 1 });
      expect(await modalities()).toEqual(['DX', 'RF']);
      expect(await counts()).toEqual({ DX: 1, RF: 1 });
      expect(await countProjectionStudies(t.db, id!)).toBe(2);
    });

    it('runs as a background task on a worker, recording who asked', async () => {
      await importCase('Dual-RDSR-DX.dcm');
      await importCase('Dual-RDSR-RF.dcm');
      const [id] = await equipmentIds();
      await updateSystems(t.db, [id!], { userDefinedModality: 'RF' }, ACTOR);
      const worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: productTaskKinds, log: quietLog, pollMs: 50 });
      await worker.start();
      try {
        const task = await enqueueTask(t.db, resortProjectionTask, { equipmentId: id! }, { startedBy: { id: null, name: 'alice' } });
        const row = await waitForState(t.db, task.id, ['done', 'failed']);
        expect(row.reason).toBeNull();
        expect(JSON.parse(row.result!)).toEqual({ checked: 2, toDX: 0, toRF: 1 });
      } finally {
        await worker.stop();
      }
      expect(await modalities()).toEqual(['RF', 'RF']);
      const [entry] = await readAudit(t.db.kysely, { action: 'system.resort' });
      expect(entry).toMatchObject({ actor: 'alice', target: `system ${id}`, details: { checked: 2, toDX: 0, toRF: 1 } });
    });

    it('refuses a user-defined modality for a unit without DX or RF studies, changing nothing', async () => {
      await importCase('CT-RDSR-Siemens_Flash-TAP-SS.dcm');
      const [id] = await equipmentIds();
      await expect(updateSystems(t.db, [id!], { displayName: 'CT 1', userDefinedModality: 'dual' }, ACTOR)).rejects.toThrow(/applies only to systems with radiography or fluoroscopy studies/);
      const row = await t.db.kysely.selectFrom('equipment').select(['display_name', 'user_defined_modality']).executeTakeFirstOrThrow();
      expect(row.user_defined_modality).toBeNull();
      expect(row.display_name).not.toBe('CT 1');
    });
  });
}
