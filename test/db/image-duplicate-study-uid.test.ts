// Several stored studies with one Study Instance UID (conformance cases
// DX-Im-GE_XR220--duplicate-study-uid*): a new image of that study goes into the first study
// built from images. The administrator's edits of those cases (changing a stored study's UID
// and back) are made here directly in the database. Their "no modality" variants cannot
// arise: every stored study has a modality.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allStudies, type StoredStudy } from '../../src/db/report-store.js';
import { importFile } from '../../src/ingest/import-file.js';
import type { SiteSettings } from '../../src/settings/site.js';
import { loadSettings } from '../../src/settings/store.js';
import { corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, removeAllStudies, type TestDb } from '../helpers/db.js';

const XR220_STUDY_UID = '1.3.6.1.4.1.5962.99.1.2282339064.1266597797.1479751121656.24.0';
const ELSEWHERE = '1.2.3.4.5.6.7.8';

async function studies(t: TestDb): Promise<StoredStudy[]> {
  const list: StoredStudy[] = [];
  for await (const s of allStudies(t.db.kysely)) list.push(s);
  return list;
}

async function setStudyUid(t: TestDb, id: number, uid: string): Promise<void> {
  await t.db.kysely.updateTable('study').set({ study_instance_uid: uid }).where('id', '=', id).execute();
}

for (const engine of ENGINES) {
  describe(`images of a study stored more than once (${engine})`, () => {
    let t: TestDb;
    let settings: SiteSettings;
    const load = async (name: string) => importFile(t.db, settings, corpusFile(name));

    beforeAll(async () => {
      t = await createTestDb(engine);
      settings = await loadSettings(t.db.kysely);
    });
    afterAll(async () => {
      await t.cleanup();
    });
    beforeEach(async () => {
      await removeAllStudies(t.db);
    });

    it('adds a new image to the first of two image-built studies with its UID', async () => {
      const first = await load('DX-Im-GE_XR220-1.dcm');
      expect(first.status).toBe('imported');
      await setStudyUid(t, first.studyId!, ELSEWHERE);
      const second = await load('DX-Im-GE_XR220-1.dcm');
      expect(second.status).toBe('imported');
      expect(await studies(t)).toHaveLength(2);
      await setStudyUid(t, first.studyId!, XR220_STUDY_UID);

      const third = await load('DX-Im-GE_XR220-2.dcm');
      expect(third).toMatchObject({ status: 'merged', studyId: first.studyId });
      const stored = await studies(t);
      expect(stored.map((s) => s.study.studyInstanceUid)).toEqual([XR220_STUDY_UID, XR220_STUDY_UID]);
      expect(stored.map((s) => s.projection!.events.length)).toEqual([2, 1]);
      expect(stored.map((s) => s.summary.numberOfEvents)).toEqual([2, 1]);
    });

    it('adds a new image to the study built from images, not to an earlier dose report with its UID', async () => {
      const report = await load('Dual-RDSR-RF.dcm');
      expect(report.status).toBe('imported');
      const images = await load('DX-Im-GE_XR220-1.dcm');
      expect(images.status).toBe('imported');
      // The dose report's study, made first, is given the images' Study Instance UID.
      await setStudyUid(t, report.studyId!, XR220_STUDY_UID);
      const before = await studies(t);
      expect(before.map((s) => s.sourceKind)).toEqual(['rdsr', 'dx-image']);

      const next = await load('DX-Im-GE_XR220-2.dcm');
      expect(next).toMatchObject({ status: 'merged', studyId: images.studyId });
      const after = await studies(t);
      expect(after.map((s) => s.projection!.events.length)).toEqual([before[0]!.projection!.events.length, 2]);
      expect(after[0]!.summary).toEqual(before[0]!.summary);
    });

    it('keeps an image that shares its UID with a CT study as a study of its own, leaving the CT record alone', async () => {
      const ct = await load('CT-SC-Philips_Brilliance16P.dcm');
      expect(ct.status).toBe('imported');
      await setStudyUid(t, ct.studyId!, XR220_STUDY_UID);

      const image = await load('DX-Im-GE_XR220-1.dcm');
      expect(image.status).toBe('imported');
      expect(image.studyId).not.toBe(ct.studyId);
      const [first, second, ...others] = await studies(t);
      expect(others).toEqual([]);
      expect(first!.modality).toBe('CT');
      expect(first!.ct!.events).toHaveLength(4);
      expect(first!.objectUidsProcessed).toHaveLength(1);
      expect(second!.modality).toBe('DX');
      expect(second!.projection!.events).toHaveLength(1);
      const events = await sql<{ n: number | string }>`select count(*) as n from proj_event where study_id = ${ct.studyId!}`.execute(t.db.kysely);
      expect(Number(events.rows[0]!.n)).toBe(0);
    });
  });
}
