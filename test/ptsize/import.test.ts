// The patient size import engine on each database engine: the reference system's scenario
// (values from its tests), overwriting, hashed accession numbers, Study Instance UIDs,
// malformed files, and stopping part-way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadStudies } from '../../src/db/report-store.js';
import { hashIdentifier } from '../../src/ingest/privacy.js';
import { logCsvLines } from '../../src/ptsize/log-csv.js';
import { LISTED_ROWS_PER_OUTCOME, unlistedCounts } from '../../src/ptsize/log-limit.js';
import { BATCH_ROWS } from '../../src/ptsize/run-import.js';
import { countLog, readLog } from '../../src/ptsize/store.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { facts, importFile, importScenario, MAPPING, sizes, writeCsv } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'openrem-ptsize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const [TAP, QA, DX] = facts.expectedAfterImport.studiesInImportOrder;
/** The reference rows as a CSV with the given header and delimiter. */
function referenceCsv(header = 'Acc no.,height,weight', delimiter = ','): string {
  return [header, ...facts.update.rows.map((r) => [r.accessionNumber, r.height, r.weight].join(delimiter))].join('\n') + '\n';
}

function expectSizes(actual: { heightM: number | null; weightKg: number | null }[], expected: { heightM: number | null; weightKg: number | null }[]): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, e] of expected.entries()) {
    const a = actual[i]!;
    // The reference compares to 7 decimal places, and None exactly.
    if (e.heightM === null) expect(a.heightM, `study ${i} height`).toBeNull();
    else expect(a.heightM, `study ${i} height`).toBeCloseTo(e.heightM, 7);
    if (e.weightKg === null) expect(a.weightKg, `study ${i} weight`).toBeNull();
    else expect(a.weightKg, `study ${i} weight`).toBeCloseTo(e.weightKg, 7);
  }
}

describe.each(ENGINES)('patient size import on %s', (engine) => {
  let t: TestDb;
  let ids: number[];
  beforeEach(async () => {
    t = await createTestDb(engine);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('fills in missing heights (cm → m) and weights and keeps existing ones, as the reference system', async () => {
    ids = await importScenario(t.db);
    expectSizes(await sizes(t.db, ids), facts.expectedAfterImport.studiesInImportOrder);
    const { imp, error } = await importFile(t.db, writeCsv(dir, `ref-${engine}.csv`, referenceCsv()), MAPPING);
    expect(error).toBeNull();
    expectSizes(await sizes(t.db, ids), facts.expectedAfterUpdate.studiesInImportOrder);
    expect(imp).toMatchObject({ state: 'done', reason: null, counts: { rows: 3, studiesUpdated: 2, skipped: 1, rowsNotFound: 0, rowsInvalid: 0 } });
    expect(await readLog(t.db, imp.id, { limit: 10 })).toEqual([
      {
        row: 2,
        outcome: 'skipped',
        identifier: TAP!.accessionNumber,
        studyId: ids[0],
        message: `study ${ids[0]} (CT, 1997-01-01): height 1.86 m kept (file: 1.7 m); weight 87 kg kept (file: 90 kg) (existing values are kept unless "overwrite" is chosen)`,
      },
      { row: 3, outcome: 'updated', identifier: QA!.accessionNumber, studyId: ids[1], message: `study ${ids[1]} (CT, 2013-06-11): height set to 1.65 m; weight 75 kg kept (file: 80.6 kg)` },
      { row: 4, outcome: 'updated', identifier: DX!.accessionNumber, studyId: ids[2], message: `study ${ids[2]} (DX, 2014-09-30): height set to 1.98 m; weight set to 102.3 kg` },
    ]);
    // The stored report is read from the same columns: it agrees.
    const [qa] = await loadStudies(t.db.kysely, [ids[1]!]);
    expect(qa!.patient.heightM).toBeCloseTo(1.65, 7);
    expect(qa!.patient.weightKg).toBe(75);
  });

  it('replaces existing values when told to overwrite', async () => {
    ids = await importScenario(t.db);
    const { imp } = await importFile(t.db, writeCsv(dir, `over-${engine}.csv`, referenceCsv()), { ...MAPPING, overwrite: true });
    expectSizes(await sizes(t.db, ids), [
      { heightM: 1.7, weightKg: 90 },
      { heightM: 1.65, weightKg: 80.6 },
      { heightM: 1.98, weightKg: 102.3 },
    ]);
    expect(imp.counts).toEqual({ rows: 3, studiesUpdated: 3, skipped: 0, rowsNotFound: 0, rowsInvalid: 0 });
    expect((await readLog(t.db, imp.id, { limit: 1 }))[0]!.message).toBe(`study ${ids[0]} (CT, 1997-01-01): height 1.86 m replaced by 1.7 m; weight 87 kg replaced by 90 kg`);
    // Running the same file again changes nothing and says so.
    const again = await importFile(t.db, writeCsv(dir, `over2-${engine}.csv`, referenceCsv()), { ...MAPPING, overwrite: true });
    expect(again.imp.counts).toEqual({ rows: 3, studiesUpdated: 0, skipped: 3, rowsNotFound: 0, rowsInvalid: 0 });
    expect((await readLog(t.db, again.imp.id, { limit: 1 }))[0]!.message).toBe(`study ${ids[0]} (CT, 1997-01-01): height 1.7 m unchanged; weight 90 kg unchanged`);
  });

  it('matches accession numbers stored hashed by hashing the file’s, and does not log them', async () => {
    ids = await importScenario(t.db, { patientId: { hashAccessionNumber: true } });
    const stored = await t.db.kysely.selectFrom('study').select(['accession_number', 'accession_number_hashed']).where('id', '=', ids[1]!).executeTakeFirstOrThrow();
    expect(stored).toEqual({ accession_number: hashIdentifier(QA!.accessionNumber), accession_number_hashed: 1 });
    const { imp } = await importFile(t.db, writeCsv(dir, `hash-${engine}.csv`, referenceCsv() + 'UNKNOWN-1,170,70\n'), MAPPING);
    expectSizes(await sizes(t.db, ids), facts.expectedAfterUpdate.studiesInImportOrder);
    const log = await readLog(t.db, imp.id, { limit: 10 });
    expect(log.map((e) => [e.row, e.outcome, e.identifier])).toEqual([
      [2, 'skipped', null],
      [3, 'updated', null],
      [4, 'updated', null],
      [5, 'not-found', null],
    ]);
    expect(log[3]!.message).toBe('no study with this accession number');
    // A study stored before hashing was switched on still matches its plain accession number.
    await t.db.kysely.updateTable('study').set({ accession_number: QA!.accessionNumber, accession_number_hashed: 0, patient_height_m: null }).where('id', '=', ids[1]!).execute();
    await importFile(t.db, writeCsv(dir, `hash2-${engine}.csv`, referenceCsv()), MAPPING);
    expect((await sizes(t.db, [ids[1]!]))[0]!.heightM).toBeCloseTo(1.65, 7);
  });

  it('matches on Study Instance UID when told to', async () => {
    ids = await importScenario(t.db);
    const uid = (await t.db.kysely.selectFrom('study').select('study_instance_uid').where('id', '=', ids[2]!).executeTakeFirstOrThrow()).study_instance_uid;
    const csv = `Study UID,Height,Weight\n${uid},198,102.3\n${DX!.accessionNumber},150,50\n`;
    const { imp } = await importFile(t.db, writeCsv(dir, `uid-${engine}.csv`, csv), { ...MAPPING, idColumn: 'Study UID', idKind: 'study-uid', heightColumn: 'Height', weightColumn: 'Weight' });
    expect(imp.counts).toEqual({ rows: 2, studiesUpdated: 1, skipped: 0, rowsNotFound: 1, rowsInvalid: 0 });
    expectSizes(await sizes(t.db, ids), facts.expectedAfterUpdate.studiesInImportOrder.map((s, i) => (i === 2 ? s : facts.expectedAfterImport.studiesInImportOrder[i]!)));
    expect((await readLog(t.db, imp.id, { limit: 10 }))[1]).toEqual({ row: 3, outcome: 'not-found', identifier: DX!.accessionNumber, studyId: null, message: 'no study with this Study Instance UID' });
  });

  it('names missing columns and the columns found, and changes nothing', async () => {
    ids = await importScenario(t.db);
    const csv = 'Acc num,height,weight,file,Existing h,existing w\n74624646290,165,80.6,x,,\n';
    const { imp, error } = await importFile(t.db, writeCsv(dir, `missing-${engine}.csv`, csv), { ...MAPPING, weightColumn: 'Weight kg' });
    const message = 'the file has no accession number column "Acc no.", weight column "Weight kg"; its columns are "Acc num", "height", "weight", "file", "Existing h", "existing w"';
    expect(error?.message).toBe(message);
    expect(imp).toMatchObject({ state: 'failed', reason: message, counts: { rows: 0, studiesUpdated: 0 } });
    expectSizes(await sizes(t.db, ids), facts.expectedAfterImport.studiesInImportOrder);
  });

  it('skips rows with text in a number field, naming the row and the value, and imports the others', async () => {
    ids = await importScenario(t.db);
    const csv = `Acc no.,height,weight\n${QA!.accessionNumber},165,80.6\n${DX!.accessionNumber},198,heavy\n${DX!.accessionNumber},tall,102.3\nNOPE,170,70\n,170,70\n${DX!.accessionNumber},0,\n${DX!.accessionNumber},,\n`;
    const { imp } = await importFile(t.db, writeCsv(dir, `text-${engine}.csv`, csv), MAPPING);
    expect(imp).toMatchObject({ state: 'done', counts: { rows: 7, studiesUpdated: 1, skipped: 2, rowsNotFound: 1, rowsInvalid: 3 } });
    expectSizes(await sizes(t.db, ids), [facts.expectedAfterImport.studiesInImportOrder[0]!, facts.expectedAfterUpdate.studiesInImportOrder[1]!, { heightM: null, weightKg: null }]);
    const log = await readLog(t.db, imp.id, { limit: 10 });
    expect(log.slice(1).map((e) => [e.row, e.outcome, e.message])).toEqual([
      [3, 'invalid', 'weight "heavy" is not a number: row skipped'],
      [4, 'invalid', 'height "tall" is not a number: row skipped'],
      [5, 'not-found', 'no study with this accession number'],
      [6, 'invalid', 'no accession number: row skipped'],
      [7, 'skipped', 'height 0 is not usable (zero is taken as not measured) and no weight is given: nothing to import'],
      [8, 'skipped', 'no height or weight given'],
    ]);
    expect(await countLog(t.db, imp.id)).toEqual({ updated: 1, skipped: 2, 'not-found': 1, invalid: 3 });
  });

  it('refuses a row with more values than the header names, as a decimal comma in a comma-separated file gives', async () => {
    ids = await importScenario(t.db);
    const csv = `Acc no.,height,weight\n${QA!.accessionNumber},1,65,80\n${DX!.accessionNumber},198,102.3,,\n`;
    const { imp } = await importFile(t.db, writeCsv(dir, `extra-${engine}.csv`, csv), MAPPING);
    expect(imp).toMatchObject({ state: 'done', counts: { rows: 2, studiesUpdated: 1, skipped: 0, rowsNotFound: 0, rowsInvalid: 1 } });
    const log = await readLog(t.db, imp.id, { limit: 10 });
    expect(log[0]).toMatchObject({ row: 2, outcome: 'invalid', message: '4 values where the header names 3 columns (a value holding the delimiter must be in quotes; a decimal comma, perhaps): row skipped' });
    // Empty values after the last column are no such split.
    expectSizes(await sizes(t.db, ids), [facts.expectedAfterImport.studiesInImportOrder[0]!, facts.expectedAfterImport.studiesInImportOrder[1]!, facts.expectedAfterUpdate.studiesInImportOrder[2]!]);
  });

  it('reads semicolon-separated Latin-1 files with decimal commas and heights in metres, and UTF-16 files with tabs', async () => {
    ids = await importScenario(t.db);
    const latin = Buffer.from(`Acc no.;Name;height;weight\r\n${QA!.accessionNumber};Zoé;1,65;80,6\r\n${DX!.accessionNumber};Jürgen;1,98;102,3\r\n`, 'latin1');
    const first = await importFile(t.db, writeCsv(dir, `latin-${engine}.csv`, latin), MAPPING);
    expect(first.imp).toMatchObject({ state: 'done', encoding: 'Latin-1 (not valid UTF-8)', delimiter: ';', columns: ['Acc no.', 'Name', 'height', 'weight'] });
    expectSizes(await sizes(t.db, ids), facts.expectedAfterUpdate.studiesInImportOrder);

    await t.db.kysely.updateTable('study').set({ patient_height_m: null, patient_weight_kg: null }).where('id', '=', ids[2]!).execute();
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`Acc no.\theight\tweight\r\n${DX!.accessionNumber}\t198\t102.3\r\n`, 'utf16le')]);
    const second = await importFile(t.db, writeCsv(dir, `utf16-${engine}.csv`, utf16), MAPPING);
    expect(second.imp).toMatchObject({ state: 'done', encoding: 'UTF-16 little-endian (byte-order mark)', delimiter: '\t', counts: { studiesUpdated: 1 } });
    expectSizes(await sizes(t.db, ids), facts.expectedAfterUpdate.studiesInImportOrder);
  });

  it('fails on a quote never closed without changing anything, naming the line it is on', async () => {
    ids = await importScenario(t.db);
    // Batches of rows come before the quote: none of them may be imported either.
    const filler = Array.from({ length: BATCH_ROWS * 2 }, (_, i) => `MISSING-${i},170,70`);
    const csv = ['Acc no.,height,weight', `${DX!.accessionNumber},198,102.3`, ...filler, `"${QA!.accessionNumber},165,80.6`, `${TAP!.accessionNumber},170,90`, ''].join('\n');
    const { imp, error } = await importFile(t.db, writeCsv(dir, `quote-${engine}.csv`, csv), MAPPING);
    const reason = `line ${BATCH_ROWS * 2 + 3}: the quote (") that opens the value "${QA!.accessionNumber},165,80.6…" is never closed, so the file ends inside that value; add the closing quote or remove the opening one`;
    expect(error?.message).toBe(reason);
    expect(imp).toMatchObject({ state: 'failed', reason, counts: { rows: 0, studiesUpdated: 0 } });
    expectSizes(await sizes(t.db, ids), facts.expectedAfterImport.studiesInImportOrder);
    expect(await countLog(t.db, imp.id)).toEqual({ updated: 0, skipped: 0, 'not-found': 0, invalid: 0 });
  });

  it('says why negative and zero values are not used, and imports what else the row gives', async () => {
    ids = await importScenario(t.db);
    const csv = `Acc no.,height,weight\n${DX!.accessionNumber},-5,80\n${DX!.accessionNumber},170,-5\n${QA!.accessionNumber},0,0\n${QA!.accessionNumber},0,\n${QA!.accessionNumber},,0\n${DX!.accessionNumber},198,0\n`;
    const { imp } = await importFile(t.db, writeCsv(dir, `zero-${engine}.csv`, csv), MAPPING);
    expect(imp).toMatchObject({ state: 'done', counts: { rows: 6, studiesUpdated: 1, skipped: 3, rowsNotFound: 0, rowsInvalid: 2 } });
    expectSizes(await sizes(t.db, ids), [...facts.expectedAfterImport.studiesInImportOrder.slice(0, 2), { heightM: 1.98, weightKg: null }]);
    expect((await readLog(t.db, imp.id, { limit: 10 })).map((e) => [e.row, e.outcome, e.message])).toEqual([
      [2, 'invalid', 'height "-5" is negative, not a plausible patient height (accepted: 0.2 to 2.75 m or 20 to 275 cm): row skipped'],
      [3, 'invalid', 'weight "-5" is negative, not a plausible patient weight (accepted: 0.2 to 650 kg): row skipped'],
      [4, 'skipped', 'height 0 and weight 0 are not usable (zero is taken as not measured): nothing to import'],
      [5, 'skipped', 'height 0 is not usable (zero is taken as not measured) and no weight is given: nothing to import'],
      [6, 'skipped', 'weight 0 is not usable (zero is taken as not measured) and no height is given: nothing to import'],
      [7, 'updated', `study ${ids[2]} (DX, 2014-09-30): height set to 1.98 m; weight 0 in the file not used (zero is taken as not measured)`],
    ]);
  });

  it('lists every study in the log but only the first rows of each other outcome, counting all', async () => {
    ids = await importScenario(t.db);
    const over = { 'not-found': 3, invalid: 1, skipped: 2 };
    const lines = ['Acc no.,height,weight', `${QA!.accessionNumber},165,80.6`];
    for (let i = 0; i < LISTED_ROWS_PER_OUTCOME + over['not-found']; i++) lines.push(`MISSING-${i},170,70`);
    for (let i = 0; i < LISTED_ROWS_PER_OUTCOME + over.invalid; i++) lines.push(`${DX!.accessionNumber},tall,70`);
    for (let i = 0; i < LISTED_ROWS_PER_OUTCOME + over.skipped; i++) lines.push(`${DX!.accessionNumber},,`);
    // Past every limit: a study updated is still listed.
    lines.push(`${DX!.accessionNumber},198,102.3`);
    const rows = lines.length - 1;
    const { imp } = await importFile(t.db, writeCsv(dir, `limit-${engine}.csv`, lines.join('\n')), MAPPING);
    expect(imp).toMatchObject({
      state: 'done',
      counts: { rows, studiesUpdated: 2, skipped: LISTED_ROWS_PER_OUTCOME + over.skipped, rowsNotFound: LISTED_ROWS_PER_OUTCOME + over['not-found'], rowsInvalid: LISTED_ROWS_PER_OUTCOME + over.invalid },
    });
    expectSizes(await sizes(t.db, ids), facts.expectedAfterUpdate.studiesInImportOrder);
    const listed = await countLog(t.db, imp.id);
    expect(listed).toEqual({ updated: 2, skipped: LISTED_ROWS_PER_OUTCOME, 'not-found': LISTED_ROWS_PER_OUTCOME, invalid: LISTED_ROWS_PER_OUTCOME });
    expect(unlistedCounts(imp.counts, listed)).toEqual({ updated: 0, ...over });
    // The first of each are listed, in the file's order.
    const notFound = await readLog(t.db, imp.id, { outcome: 'not-found', limit: LISTED_ROWS_PER_OUTCOME + 10 });
    expect([notFound[0]!.row, notFound.at(-1)!.row]).toEqual([3, LISTED_ROWS_PER_OUTCOME + 2]);
    const updated = await readLog(t.db, imp.id, { outcome: 'updated', limit: 5 });
    expect(updated.map((e) => [e.row, e.studyId])).toEqual([
      [2, ids[1]],
      [rows + 1, ids[2]],
    ]);
    // The download ends saying what it leaves out.
    let text = '';
    for await (const line of logCsvLines(t.db, imp)) text += line;
    const csvLines = text.split('\r\n');
    expect(csvLines.length).toBe(1 + 2 + 3 * LISTED_ROWS_PER_OUTCOME + 3 + 1);
    expect(csvLines.slice(-4)).toEqual([
      ',skipped,,,"2 more rows with nothing to import are counted but not listed: the log lists the first 10,000 of each kind, and every study updated or kept"',
      ',not-found,,,"3 more rows not found are counted but not listed: the log lists the first 10,000 of each kind, and every study updated or kept"',
      ',invalid,,,"1 more row with errors is counted but not listed: the log lists the first 10,000 of each kind, and every study updated or kept"',
      '',
    ]);
  });

  it('stops between batches when aborted: what was committed stays, and the log says exactly what', async () => {
    ids = await importScenario(t.db);
    const filler = Array.from({ length: BATCH_ROWS * 3 }, (_, i) => `MISSING-${i},170,70`);
    const csv = ['Acc no.,height,weight', `${QA!.accessionNumber},165,80.6`, ...filler, `${DX!.accessionNumber},198,102.3`].join('\n');
    const controller = new AbortController();
    const { imp, error } = await importFile(t.db, writeCsv(dir, `abort-${engine}.csv`, csv), MAPPING, {
      signal: controller.signal,
      onProgress: (p) => {
        expect(p.fraction).toBeGreaterThan(0);
        controller.abort(new Error('aborted by tester'));
      },
    });
    expect(error?.message).toBe('aborted by tester');
    expect(imp).toMatchObject({
      state: 'aborted',
      reason: 'aborted by tester; the 1 study updated before then stay updated (see the log)',
      counts: { rows: BATCH_ROWS, studiesUpdated: 1, rowsNotFound: BATCH_ROWS - 1 },
    });
    expectSizes(await sizes(t.db, ids), [facts.expectedAfterImport.studiesInImportOrder[0]!, facts.expectedAfterUpdate.studiesInImportOrder[1]!, { heightM: null, weightKg: null }]);
    expect(await countLog(t.db, imp.id)).toEqual({ updated: 1, skipped: 0, 'not-found': BATCH_ROWS - 1, invalid: 0 });
  });
});

describe('patient size import rows matching in order', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('lets a later row of the same identifier see what an earlier one wrote', async () => {
    const ids = await importScenario(t.db);
    const csv = `Acc no.,height,weight\n${DX!.accessionNumber},198,\n${DX!.accessionNumber},150,\n`;
    const { imp } = await importFile(t.db, writeCsv(dir, 'twice.csv', csv), MAPPING);
    expect((await sizes(t.db, [ids[2]!]))[0]!.heightM).toBeCloseTo(1.98, 7);
    expect((await readLog(t.db, imp.id, { limit: 5 })).map((e) => e.message)).toEqual([
      `study ${ids[2]} (DX, 2014-09-30): height set to 1.98 m`,
      `study ${ids[2]} (DX, 2014-09-30): height 1.98 m kept (file: 1.5 m) (existing values are kept unless "overwrite" is chosen)`,
    ]);
  });
});
