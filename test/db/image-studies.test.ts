// Studies built from image headers, on each database engine: images of one study become one
// study with one event per image, totals follow every added image, re-sent images and the
// second copy (for processing / for presentation) of one exposure add nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allStudies, type StoredStudy } from '../../src/db/report-store.js';
import { importFile } from '../../src/ingest/import-file.js';
import type { SiteSettings } from '../../src/settings/site.js';
import { loadSettings } from '../../src/settings/store.js';
import { corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, removeAllStudies, type TestDb } from '../helpers/db.js';

async function studies(t: TestDb): Promise<StoredStudy[]> {
  const list: StoredStudy[] = [];
  for await (const s of allStudies(t.db.kysely)) list.push(s);
  return list;
}

async function empty(t: TestDb): Promise<void> {
  await removeAllStudies(t.db);
}

for (const engine of ENGINES) {
  describe(`studies from image headers (${engine})`, () => {
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
      await empty(t);
    });

    it('combines radiography images into one study, one event per image, ignoring an image sent again', async () => {
      const results = [];
      for (const f of ['DX-Im-GE_XR220-1.dcm', 'DX-Im-GE_XR220-2.dcm', 'DX-Im-GE_XR220-3.dcm', 'DX-Im-GE_XR220-2.dcm']) results.push((await load(f)).status);
      expect(results).toEqual(['imported', 'merged', 'merged', 'duplicate']);
      const [s, ...others] = await studies(t);
      expect(others).toEqual([]);
      expect(s!.modality).toBe('DX');
      const events = s!.projection!.events;
      expect(events.map((e) => e.exposureUAs)).toEqual([1040, 2040, 5040]);
      expect(events.map((e) => e.doseAreaProductGym2)).toEqual([4.1e-6, 8.2e-6, 2.05e-5]);
      expect(s!.summary.numberOfEvents).toBe(3);
      expect(s!.summary.totalDapGym2).toBeCloseTo(3.28e-5, 12);
      expect(s!.summary.totalDapAGym2).toBeCloseTo(3.28e-5, 12);
      expect(s!.projection!.accumulated).toHaveLength(1);
      expect(s!.projection!.accumulated[0]!.integratedProjection!.totalNumberOfRadiographicFrames).toBe(3);
      expect(s!.projection!.accumulated[0]!.integratedProjection!.doseAreaProductTotalGym2).toBeCloseTo(3.28e-5, 12);
      expect([...s!.objectUidsProcessed].sort()).toEqual([
        '1.3.6.1.4.1.5962.99.1.2282339064.1266597797.1479751121656.20.0',
        '1.3.6.1.4.1.5962.99.1.2282339064.1266597797.1479751121656.26.0',
        '1.3.6.1.4.1.5962.99.1.2282339064.1266597797.1479751121656.28.0',
      ]);
    });

    it('stores every filter with its maximum thickness not below its minimum', async () => {
      await load('DX-Im-Carestream_DR7500-1.dcm');
      await load('DX-Im-Carestream_DR7500-2.dcm');
      const [s] = await studies(t);
      const filters = s!.projection!.events.flatMap((e) => e.filters ?? []);
      expect(filters).toHaveLength(3);
      for (const f of filters) expect(f.thicknessMaximumMm!).toBeGreaterThanOrEqual(f.thicknessMinimumMm!);
      expect(s!.summary.totalDapGym2).toBeCloseTo(0.0002117, 12);
    });

    it('imports an image without dates, under the display name of its unit', async () => {
      const r = await load('DX-Im-Date-Missing.dcm');
      expect(r.status).toBe('imported');
      const [s] = await studies(t);
      expect(s!.study.studyDate).toBeNull();
      expect(s!.equipment.displayName).toBe('DX Date Removed KODAK7500');
    });

    it('counts a mammography exposure once when both its copies arrive, and sums the glandular dose per breast', async () => {
      expect((await load('MG-Im-GE_Seno_1_ForPresentation.dcm')).status).toBe('imported');
      const second = await load('MG-Im-GE_Seno_1_ForProcessing.dcm');
      expect(second.status).toBe('duplicate');
      expect(second.message).toContain('2013-04-12T13:22:23');
      let [s] = await studies(t);
      expect(s!.projection!.events).toHaveLength(1);
      expect(s!.summary.totalAgdLeftMGy).toBeCloseTo(0.547, 10);
      // The copy is remembered, so sending it again is recognised at once.
      expect(s!.objectUidsProcessed).toContain('1.3.6.1.4.1.5962.99.1.1270844358.1571783457.1525984267206.2.0');

      expect((await load('MG-Im-GE_Seno_2_ForPresentation.dcm')).status).toBe('merged');
      expect((await load('MG-Im-GE_Seno_1_ForProcessing.dcm')).status).toBe('duplicate');
      [s] = await studies(t);
      expect(s!.projection!.events).toHaveLength(2);
      expect(s!.summary).toMatchObject({ numberOfEvents: 2, totalAgdRightMGy: null });
      expect(s!.summary.totalAgdLeftMGy).toBeCloseTo(1.956, 10);
      expect(s!.projection!.accumulated).toHaveLength(1);
      expect(s!.projection!.accumulated[0]!.mammography).toHaveLength(1);
      expect(s!.projection!.accumulated[0]!.mammography![0]!.laterality).toBe('Left breast');
      expect(s!.projection!.accumulated[0]!.mammography![0]!.accumulatedAverageGlandularDoseMGy).toBeCloseTo(1.956, 10);
    });

    it('stores the Philips CT dose info as a CT study and skips it when sent again', async () => {
      expect((await load('CT-SC-Philips_Brilliance16P.dcm')).status).toBe('imported');
      expect((await load('CT-SC-Philips_Brilliance16P.dcm')).status).toBe('duplicate');
      const [s, ...others] = await studies(t);
      expect(others).toEqual([]);
      expect(s!.modality).toBe('CT');
      expect(s!.ct!.events).toHaveLength(4);
      expect(s!.summary).toMatchObject({ numberOfEvents: 4, numberOfSpiral: 3, numberOfConstAngle: 1, totalDlpMGyCm: 1102.44609 });
    });
  });
}
