// One object, two copies: a copy cut short is refused and kept in the quarantine, so the
// complete copy imported later is stored whole; a copy stored before with fewer events (as an
// older version stored damaged reports) is replaced by the complete one; a copy whose events
// differ from the stored ones is refused with the reason, and nothing stored changes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allStudies, type StoredStudy } from '../../src/db/report-store.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { importFile } from '../../src/ingest/import-file.js';
import { ingestReport } from '../../src/ingest/ingest.js';
import type { DoseReport } from '../../src/report/types.js';
import { DEFAULT_SETTINGS } from '../../src/settings/site.js';
import { corpusBytes, corpusFile, CORPUS } from '../helpers/corpus.js';
import { createTestDb, ENGINES, removeAllStudies, type TestDb } from '../helpers/db.js';

function intactReport(name: string): DoseReport {
  const outcome = extractFromBytes(corpusBytes(name));
  if (outcome.status !== 'report') throw new Error(`${name}: ${outcome.status}`);
  return outcome.report;
}

function eventCount(s: Pick<DoseReport, 'ct' | 'projection'>): number {
  return s.ct?.events.length ?? s.projection?.events.length ?? 0;
}

async function studies(t: TestDb): Promise<StoredStudy[]> {
  const list: StoredStudy[] = [];
  for await (const s of allStudies(t.db.kysely)) list.push(s);
  return list;
}

const work = mkdtempSync(join(tmpdir(), 'openrem-copies-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const engine of ENGINES) {
  describe(`two copies of one dose object (${engine})`, () => {
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

    it('refuses a copy cut short and keeps it in the quarantine; the complete copy is then stored whole', async () => {
      const name = 'CT-RDSR-Siemens_Flash-QA-DS.dcm';
      const cut = join(work, `${engine}-cut.dcm`);
      writeFileSync(cut, corpusBytes(name).subarray(0, 5000));
      const failed = await importFile(t.db, DEFAULT_SETTINGS, cut, { dataDir: t.dataDir });
      expect(failed).toMatchObject({ status: 'failed', message: 'truncated: the file ends inside the report content (0040,A730) at byte 5000' });
      expect(await studies(t)).toEqual([]);
      const note = JSON.parse(readFileSync(`${failed.quarantinedAs!}.reason.json`, 'utf8'));
      expect(note.reason).toBe(failed.message);

      const complete = await importFile(t.db, DEFAULT_SETTINGS, corpusFile(name));
      expect(complete.status).toBe('imported');
      const [stored] = await studies(t);
      expect(stored!.modality).toBe('CT');
      expect(eventCount(stored!)).toBe(9);
      expect(stored!.summary.totalDlpMGyCm).toBe(intactReport(name).summary.totalDlpMGyCm);
    });

    it('replaces a copy stored with fewer events by the complete copy', async () => {
      const name = 'RF-RDSR-Philips_Azurion.dcm';
      const intact = intactReport(name);
      const partial: DoseReport = { ...intact, projection: { ...intact.projection!, events: intact.projection!.events.slice(0, 40) } };
      const first = await ingestReport(t.db, DEFAULT_SETTINGS, partial);
      expect(first.status).toBe('imported');

      const complete = await importFile(t.db, DEFAULT_SETTINGS, corpusFile(name));
      expect(complete.status).toBe('merged');
      expect(complete.studyId).toBe(first.studyId);
      expect(complete.message).toContain(`object ${intact.sopInstanceUid} was stored before with 40 of its 89 events; the complete copy replaces it`);
      const all = await studies(t);
      expect(all).toHaveLength(1);
      expect(eventCount(all[0]!)).toBe(89);
      expect(all[0]!.summary).toMatchObject(intact.summary);
      // Sent once more, the complete copy is a duplicate.
      expect((await importFile(t.db, DEFAULT_SETTINGS, corpusFile(name))).status).toBe('duplicate');
    });

    it('replaces an empty record of another modality that a damaged copy left', async () => {
      const name = 'CT-RDSR-Siemens_Flash-QA-DS.dcm';
      const intact = intactReport(name);
      const empty: DoseReport = { ...intact, modality: 'DX', ct: undefined, projection: { accumulated: [], events: [] } };
      delete empty.ct;
      await ingestReport(t.db, DEFAULT_SETTINGS, empty);
      expect((await studies(t))[0]!.modality).toBe('DX');

      const complete = await importFile(t.db, DEFAULT_SETTINGS, corpusFile(name));
      expect(complete).toMatchObject({ status: 'merged', modality: 'CT' });
      const all = await studies(t);
      expect(all).toHaveLength(1);
      expect(all[0]!.modality).toBe('CT');
      expect(eventCount(all[0]!)).toBe(9);
    });

    it('refuses a copy whose events differ from the stored copy, changing nothing', async () => {
      const name = 'RF-RDSR-Philips_Azurion.dcm';
      const intact = intactReport(name);
      const events = intact.projection!.events.slice(0, 40);
      const other: DoseReport = { ...intact, projection: { ...intact.projection!, events: [...events, { ...events[0]!, irradiationEventUid: '2.25.1' }] } };
      await ingestReport(t.db, DEFAULT_SETTINGS, other);
      const before = await studies(t);

      const copy = join(work, `${engine}-azurion.dcm`);
      writeFileSync(copy, corpusBytes(name));
      const refused = await importFile(t.db, DEFAULT_SETTINGS, copy, { dataDir: t.dataDir });
      expect(refused.status).toBe('failed');
      expect(refused.message).toBe(
        `object ${intact.sopInstanceUid} was stored before in study ${before[0]!.id} with other events (49 of this copy's 89 events are not stored, and the study has events this copy lacks); nothing was changed`,
      );
      expect(refused.quarantinedAs).toBeDefined();
      expect(await studies(t)).toEqual(before);
    });

    it('skips every corpus object imported a second time', async () => {
      const names = readdirSync(CORPUS).filter((f) => f.endsWith('.dcm')).sort();
      for (const name of names) await importFile(t.db, DEFAULT_SETTINGS, corpusFile(name));
      const before = await studies(t);
      const again = [];
      for (const name of names) again.push(`${name}: ${(await importFile(t.db, DEFAULT_SETTINGS, corpusFile(name))).status}`);
      expect(again.filter((r) => !/: (duplicate|not-dose)$/.test(r))).toEqual([]);
      expect(await studies(t)).toEqual(before);
    });
  });
}
