// How the objects of a nuclear medicine examination become studies, on each database
// engine: the RRDSR and the PET images of one study combine into one NM study in either
// order, images of one series add one PET series, nothing is imported twice, a second
// administration is a study of its own and the CT of a PET/CT stays a CT study.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allStudies, type StoredStudy } from '../../src/db/report-store.js';
import { readDicomFile } from '../../src/dicom/read.js';
import { extractFromDataset } from '../../src/extract/index.js';
import { importFile } from '../../src/ingest/import-file.js';
import { ingestReport } from '../../src/ingest/ingest.js';
import type { DoseReport } from '../../src/report/types.js';
import { parseSettings } from '../../src/settings/site.js';
import { corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, removeAllStudies, type TestDb } from '../helpers/db.js';

const settings = parseSettings({ patientId: { storePatientName: true, hashPatientName: false } });
const RRDSR = 'NM-RRDSR-Siemens.dcm';
const PET = 'NM-PetIm-Siemens.dcm';
const RRDSR_SOP = '1.3.12.2.1107.5.1.4.11090.30000022022409484529300000027';
const PET_SOP = '1.3.12.2.1107.5.1.4.11090.30000022022409254338300006581';

async function extracted(name: string): Promise<DoseReport> {
  const outcome = extractFromDataset(await readDicomFile(corpusFile(name)));
  if (outcome.status !== 'report') throw new Error(`${name} not extracted`);
  return outcome.report;
}

for (const engine of ENGINES) {
  describe(`NM study linking (${engine})`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterAll(async () => {
      await t.cleanup();
    });
    beforeEach(async () => {
      await removeAllStudies(t.db);
    });

    const importAll = async (...names: string[]) => {
      const statuses: string[] = [];
      for (const name of names) statuses.push((await importFile(t.db, settings, corpusFile(name))).status);
      return statuses;
    };
    const studies = async () => {
      const out: StoredStudy[] = [];
      for await (const s of allStudies(t.db.kysely)) out.push(s);
      return out;
    };
    /** What a study records, without its database identity. */
    const content = (s: StoredStudy) => {
      const { id: _id, createdAt: _createdAt, objectUidsProcessed, ...rest } = s;
      return { ...rest, objectUidsProcessed: [...objectUidsProcessed].sort() };
    };

    it('combines the RRDSR and a PET image into the same study in either order, the RRDSR winning', async () => {
      expect(await importAll(PET, RRDSR)).toEqual(['imported', 'merged']);
      const petFirst = await studies();
      await t.db.kysely.deleteFrom('object_uid').execute();
      await t.db.kysely.deleteFrom('study').execute();
      await t.db.kysely.deleteFrom('equipment').execute();
      expect(await importAll(RRDSR, PET)).toEqual(['imported', 'merged']);
      const reportFirst = await studies();

      expect(petFirst).toHaveLength(1);
      expect(reportFirst).toHaveLength(1);
      expect(content(petFirst[0]!)).toEqual(content(reportFirst[0]!));
      const s = reportFirst[0]!;
      expect(s.modality).toBe('NM');
      expect(s.sourceKind).toBe('rrdsr');
      expect(s.objectUidsProcessed.sort()).toEqual([PET_SOP, RRDSR_SOP].sort());
      // Header values of the RRDSR win over the image's; the image fills what the RRDSR lacks.
      expect(s.study.accessionNumber).toBe('TEST123456');
      expect(s.study.referringPhysicianName).toBe('Kim');
      expect(s.patient.name).toBe('REMOVED1');
      expect(s.equipment).toMatchObject({ modelName: 'Biograph64_Vision 600_Vision 600-1208', stationName: 'CTAWP00001' });
      expect(s.nm!.administration).toMatchObject({
        radiopharmaceuticalAdministrationEventUid: '1.3.12.2.1107.5.1.4.11090.20220224104830.0',
        radiopharmaceuticalStartDatetime: '2022-02-24T10:40:30',
        radiopharmaceuticalAgentString: 'Fluorodeoxyglucose',
        administeredActivityMBq: 394,
        effectiveDoseMSv: 7.486,
      });
      expect(s.nm!.administration!.organDoses).toHaveLength(22);
      expect(s.nm!.associatedProcedure).toBe('PET study for localization of tumor');
      expect(s.nm!.petSeries!.map((p) => p.seriesInstanceUid)).toEqual(['1.3.12.2.1107.5.1.4.11090.30000022022409254338300006535']);
      expect(s.summary).toMatchObject({ numberOfEvents: 1, totalAdministeredActivityMBq: 394 });
    });

    it('adds one PET series per series and ignores re-imports', async () => {
      const statuses = await importAll(PET, 'NM-PetIm-Siemens-3-sameseries.dcm', 'NM-PetIm-Siemens-2.dcm', 'NM-PetIm-Siemens-3.dcm');
      expect(statuses).toEqual(['imported', 'merged', 'merged', 'merged']);
      const before = await studies();
      expect(before).toHaveLength(1);
      expect(before[0]!.sourceKind).toBe('nm-image');
      expect(before[0]!.objectUidsProcessed).toHaveLength(4);
      expect(before[0]!.nm!.petSeries!.map((p) => [p.reconstructionMethod, p.corrections!.length])).toEqual([
        ['PSF+TOF 4i5s', 6],
        ['PSF+TOF 7i5s', 6],
        ['OSEM3D+TOF 4i5s', 4],
      ]);
      expect(await importAll(PET, 'NM-PetIm-Siemens-3.dcm')).toEqual(['duplicate', 'duplicate']);
      expect(await studies()).toEqual(before);
    });

    it('records another copy of a stored administration without changing the study', async () => {
      await importAll(RRDSR, PET);
      const before = await studies();
      const copy = await extracted(RRDSR);
      const result = await ingestReport(t.db, settings, { ...copy, sopInstanceUid: '1.2.826.0.1.3680043.2.1125.99.1', objectUidsProcessed: ['1.2.826.0.1.3680043.2.1125.99.1'] });
      expect(result.status).toBe('duplicate');
      const after = await studies();
      expect(after).toHaveLength(1);
      expect(after[0]!.objectUidsProcessed).toContain('1.2.826.0.1.3680043.2.1125.99.1');
      expect(after[0]!.nm).toEqual(before[0]!.nm);
    });

    it('keeps a second administration of the same study as a study of its own; later images join the first', async () => {
      await importAll(RRDSR);
      const second = await extracted(RRDSR);
      const admin = { ...second.nm!.administration!, radiopharmaceuticalAdministrationEventUid: '1.2.826.0.1.3680043.2.1125.99.2', administeredActivityMBq: 180 };
      const result = await ingestReport(t.db, settings, { ...second, sopInstanceUid: '1.2.826.0.1.3680043.2.1125.99.3', objectUidsProcessed: [], nm: { ...second.nm!, administration: admin } });
      expect(result.status).toBe('imported');
      expect(await importAll(PET)).toEqual(['merged']);
      const [first, other] = await studies();
      expect(first!.nm!.administration!.administeredActivityMBq).toBe(394);
      expect(first!.nm!.petSeries).toHaveLength(1);
      expect(other!.nm!.administration!.administeredActivityMBq).toBe(180);
      expect(other!.nm!.petSeries).toEqual([]);
      expect(other!.summary.totalAdministeredActivityMBq).toBe(180);
    });

    it('keeps the CT RDSR of the PET/CT a CT study with the same Study ID', async () => {
      expect(await importAll('NM-CT-RDSR-Siemens.dcm', RRDSR, PET)).toEqual(['imported', 'imported', 'merged']);
      const [ct, nm] = await studies();
      expect(ct!.modality).toBe('CT');
      expect(ct!.nm).toBeUndefined();
      expect(ct!.objectUidsProcessed).toEqual(['1.3.12.2.1107.5.1.4.11090.30000022022409220062600002117']);
      expect(nm!.modality).toBe('NM');
      expect(nm!.study.studyId).toBe(ct!.study.studyId);
      expect(nm!.nm!.petSeries).toHaveLength(1);
    });

    it('combines the images of a SPECT study', async () => {
      expect(await importAll('NM-NmIm-Siemens-s1-1.dcm', 'NM-NmIm-Siemens-s1-2.dcm')).toEqual(['imported', 'merged']);
      const [s] = await studies();
      expect(s!.nm!.administration).toMatchObject({ radiopharmaceuticalAgentString: 'Sestamibi', administeredActivityMBq: 320 });
      expect(s!.nm!.petSeries).toEqual([]);
      expect(s!.summary).toMatchObject({ numberOfEvents: 1, totalAdministeredActivityMBq: 320 });
    });
  });
}
