// Files imported together are stored in groups, one commit per group. Each file still gets its
// own outcome: a bad file in a group costs only itself, studies spread over several files of
// one group merge as they would one by one, and when the database refuses a group (its
// transaction ended mid-way, or its commit failed) the group's files are stored again one by
// one, so only the file the database refuses fails.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allStudies, type StoredStudy } from '../../src/db/report-store.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { importFiles, type FileResult } from '../../src/ingest/import-file.js';
import { DEFAULT_SETTINGS } from '../../src/settings/site.js';
import { corpusBytes, corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, removeAllStudies, type TestDb } from '../helpers/db.js';

const work = mkdtempSync(join(tmpdir(), 'openrem-groups-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cut = join(work, 'cut.dcm');
writeFileSync(cut, corpusBytes('CT-RDSR-Siemens_Flash-QA-DS.dcm').subarray(0, 5000));
const notes = join(work, 'notes.txt');
writeFileSync(notes, 'not a DICOM file\n');

const FILES = [
  corpusFile('CT-RDSR-Siemens_Flash-TAP-SS.dcm'),
  cut,
  corpusFile('CT-RDSR-Siemens-Multi-1.dcm'),
  corpusFile('CT-RDSR-Siemens-Multi-2.dcm'),
  corpusFile('CT-RDSR-Siemens-Multi-3.dcm'),
  notes,
  corpusFile('RF-RDSR-Siemens-Zee.dcm'),
  corpusFile('CT-RDSR-Siemens_Flash-TAP-SS.dcm'),
];

function uidsOf(name: string): { study: string; object: string } {
  const outcome = extractFromBytes(corpusBytes(name));
  if (outcome.status !== 'report') throw new Error(`${name}: ${outcome.status}`);
  return { study: outcome.report.study.studyInstanceUid, object: outcome.report.sopInstanceUid };
}

function studyUidOf(name: string): string {
  return uidsOf(name).study;
}

async function stored(t: TestDb): Promise<{ uid: string; events: number }[]> {
  const list: StoredStudy[] = [];
  for await (const s of allStudies(t.db.kysely)) list.push(s);
  return list.map((s) => ({ uid: s.study.studyInstanceUid, events: s.ct?.events.length ?? s.projection?.events.length ?? 0 })).sort((a, b) => a.uid.localeCompare(b.uid));
}

function outcomes(results: FileResult[]): [string, string][] {
  return results.map((r) => [r.status, r.message]);
}

for (const engine of ENGINES) {
  describe(`importing files in groups (${engine})`, () => {
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

    it('gives every file its own outcome, in order, and stores what one-by-one imports would', async () => {
      const seen: FileResult[] = [];
      const results = await importFiles(t.db, DEFAULT_SETTINGS, FILES, { dataDir: t.dataDir }, (r) => seen.push(r));
      expect(seen).toEqual(results);
      expect(results.map((r) => r.file)).toEqual(FILES);
      const ids = results.map((r) => r.studyId);
      const tap = uidsOf('CT-RDSR-Siemens_Flash-TAP-SS.dcm');
      expect(outcomes(results)).toEqual([
        ['imported', `imported as study ${ids[0]}`],
        ['failed', 'truncated: the file ends inside the report content (0040,A730) at byte 5000'],
        ['imported', `imported as study ${ids[2]}`],
        ['merged', `merged into study ${ids[2]} (cumulative report with more events)`],
        ['merged', `merged into study ${ids[2]} (cumulative report with more events)`],
        ['failed', 'not a DICOM file (no DICM preamble and no recognisable data set)'],
        ['imported', `imported as study ${ids[6]}`],
        ['duplicate', `duplicate skipped: object ${tap.object} of study ${tap.study} was imported before`],
      ]);
      expect(results[1]!.quarantinedAs).toBeDefined();
      expect(results[5]!.quarantinedAs).toBeUndefined();
      expect(await stored(t)).toEqual(
        [
          { uid: studyUidOf('CT-RDSR-Siemens_Flash-TAP-SS.dcm'), events: 4 },
          { uid: studyUidOf('CT-RDSR-Siemens-Multi-3.dcm'), events: 3 },
          { uid: studyUidOf('RF-RDSR-Siemens-Zee.dcm'), events: 8 },
        ].sort((a, b) => a.uid.localeCompare(b.uid)),
      );
    });

    it('stores a refused group again file by file: only the file the database refuses fails', async () => {
      const refused = uidsOf('CT-RDSR-Siemens-Multi-1.dcm');
      // SQLite: a trigger that ends the whole transaction mid-group. PostgreSQL: a check that
      // only runs at commit, so the group's commit fails.
      if (engine === 'sqlite') {
        await sql`create trigger refuse_object before insert on object_uid when new.sop_instance_uid = ${sql.lit(refused.object)} begin select raise(rollback, 'refused by the database'); end`.execute(t.db.kysely);
      } else {
        await sql`create function refuse_object() returns trigger language plpgsql as $$ begin if new.sop_instance_uid = ${sql.lit(refused.object)} then raise exception 'refused by the database'; end if; return new; end $$`.execute(t.db.kysely);
        await sql`create constraint trigger refuse_object after insert on object_uid deferrable initially deferred for each row execute function refuse_object()`.execute(t.db.kysely);
      }
      try {
        const results = await importFiles(t.db, DEFAULT_SETTINGS, FILES, { dataDir: t.dataDir }, () => undefined);
        const ids = results.map((r) => r.studyId);
        const [status, message] = outcomes(results)[2]!;
        expect(status).toBe('failed');
        expect(message).toMatch(/^could not store: .*refused by the database/);
        expect(results[2]!.quarantinedAs).toBeDefined();
        // Without the first of the cumulative reports, the second one starts the study.
        expect(outcomes(results).map(([s]) => s)).toEqual(['imported', 'failed', 'failed', 'imported', 'merged', 'failed', 'imported', 'duplicate']);
        expect(results[4]!.studyId).toBe(ids[3]);
        expect(await stored(t)).toEqual(
          [
            { uid: studyUidOf('CT-RDSR-Siemens_Flash-TAP-SS.dcm'), events: 4 },
            { uid: refused.study, events: 3 },
            { uid: studyUidOf('RF-RDSR-Siemens-Zee.dcm'), events: 8 },
          ].sort((a, b) => a.uid.localeCompare(b.uid)),
        );
      } finally {
        if (engine === 'sqlite') await sql`drop trigger refuse_object`.execute(t.db.kysely);
        else await sql`drop function refuse_object() cascade`.execute(t.db.kysely);
      }
    });
  });
}
