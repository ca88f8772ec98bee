// One unit used for radiography and fluoroscopy (conformance cases Dual-RDSR--*): its DX and
// RF RDSRs share one equipment entry, and each study gets the modality its content shows,
// without any administrator action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStudies, type StoredStudy } from '../../src/db/report-store.js';
import { importFile } from '../../src/ingest/import-file.js';
import { loadSettings } from '../../src/settings/store.js';
import { corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

async function studies(t: TestDb): Promise<StoredStudy[]> {
  const list: StoredStudy[] = [];
  for await (const s of allStudies(t.db.kysely)) list.push(s);
  return list;
}

for (const engine of ENGINES) {
  describe(`a unit used as DX and RF (${engine})`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('stores the DX RDSR as DX and then the RF RDSR as RF, under one equipment entry', async () => {
      const settings = await loadSettings(t.db.kysely);

      const dx = await importFile(t.db, settings, corpusFile('Dual-RDSR-DX.dcm'));
      expect(dx.status).toBe('imported');
      expect((await studies(t)).map((s) => s.modality)).toEqual(['DX']);

      const rf = await importFile(t.db, settings, corpusFile('Dual-RDSR-RF.dcm'));
      expect(rf.status).toBe('imported');
      const stored = await studies(t);
      expect(stored.map((s) => s.modality)).toEqual(['DX', 'RF']);

      const equipment = await t.db.kysely.selectFrom('equipment').select(['id', 'station_name', 'model_name', 'device_observer_uid']).execute();
      expect(equipment).toHaveLength(1);
      expect(equipment[0]).toMatchObject({ model_name: 'Fluorospot Compact FD', device_observer_uid: '1.3.6.1.4.1.5962.99.1.2930476852.1535886921.1523348932404.2.0' });
      expect(stored[0]!.equipment.displayName).toBe(stored[1]!.equipment.displayName);

      // Each study carries its own record: the radiography exposure, and the fluoroscopy runs.
      expect(stored[0]!.summary).toMatchObject({ numberOfEvents: 1, totalDapGym2: 2.39e-6 });
      expect(stored[1]!.summary).toMatchObject({ numberOfEvents: 4, totalDapGym2: 2.12e-6 });
      expect(stored[1]!.projection!.accumulated[0]!.totalFluoroTimeS).toBe(4);
    });
  });
}
