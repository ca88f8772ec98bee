// `openrem ptsize`: its arguments as the reference system parses them, and the built command
// run as a user would on each engine (same engine and history as the web import).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePtsizeArgs, PtsizeUsageError, type PtsizeArgs } from '../../src/cli/ptsize.js';
import { LISTED_ROWS_PER_OUTCOME } from '../../src/ptsize/log-limit.js';
import { listSizeImports } from '../../src/ptsize/store.js';
import { openrem } from '../helpers/cli.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { facts, importScenario, sizes, writeCsv } from './helpers.js';

/** The reference's names for the parsed arguments. */
const REFERENCE_NAMES: Record<string, keyof PtsizeArgs> = { csvfile: 'csvFile', id: 'idColumn', height: 'heightColumn', weight: 'weightColumn', verbose: 'verbose', si_uid: 'siUid' };

describe('openrem ptsize arguments', () => {
  it.each(facts.commandLine.map((c) => [c.test, c] as const))('%s: parses as the reference does', (_name, c) => {
    const parsed = parsePtsizeArgs(c.args);
    for (const [key, value] of Object.entries(c.expected)) expect(parsed[REFERENCE_NAMES[key]!], key).toBe(value);
  });

  it('takes options anywhere, and refuses unknown options and a wrong number of names', () => {
    expect(parsePtsizeArgs(['--overwrite', 'f.csv', 'Acc', '--si-uid', 'h', '--verbose', 'w', '--height-unit', 'cm'])).toEqual({
      csvFile: 'f.csv',
      idColumn: 'Acc',
      heightColumn: 'h',
      weightColumn: 'w',
      siUid: true,
      overwrite: true,
      verbose: true,
      heightUnit: 'cm',
    });
    expect(parsePtsizeArgs(['f.csv', 'Acc', 'h', 'w']).overwrite).toBe(false);
    expect(parsePtsizeArgs(['f.csv', '--', '-Acc', 'h', 'w']).idColumn).toBe('-Acc');
    expect(() => parsePtsizeArgs(['f.csv', 'Acc', 'h'])).toThrow(new PtsizeUsageError('expected FILE ID_COLUMN HEIGHT_COLUMN WEIGHT_COLUMN, got 3 arguments'));
    expect(() => parsePtsizeArgs(['f.csv', 'Acc', 'h', 'w', '-x'])).toThrow(new PtsizeUsageError('unknown option -x'));
    expect(() => parsePtsizeArgs(['f.csv', 'Acc', 'h', 'w', '--height-unit', 'ft'])).toThrow(new PtsizeUsageError('--height-unit must be one of auto, cm, m'));
  });
});

describe.each(ENGINES)('openrem ptsize on %s', (engine) => {
  let t: TestDb;
  let ids: number[];
  const dir = mkdtempSync(join(tmpdir(), 'openrem-ptsize-cli-'));
  beforeAll(async () => {
    t = await createTestDb(engine);
    ids = await importScenario(t.db);
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the reference rows, printing every log line with -v, and records the import', async () => {
    const csv = ['Acc no.,height,weight', ...facts.update.rows.map((r) => `${r.accessionNumber},${r.height},${r.weight}`)].join('\n');
    const file = writeCsv(dir, 'sizes.csv', csv);
    const r = openrem(['ptsize', file, 'Acc no.', 'height', 'weight', '-v'], t.env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [tap, qa, dx] = ids;
    expect(r.stdout.split('\n')).toEqual([
      `${file}: UTF-8, comma-separated, matching on accession number`,
      `row 2 (ACC12345601): skipped: study ${tap} (CT, 1997-01-01): height 1.86 m kept (file: 1.7 m); weight 87 kg kept (file: 90 kg) (existing values are kept unless "overwrite" is chosen)`,
      `row 3 (74624646290): updated: study ${qa} (CT, 2013-06-11): height set to 1.65 m; weight 75 kg kept (file: 80.6 kg)`,
      `row 4 (00938475): updated: study ${dx} (DX, 2014-09-30): height set to 1.98 m; weight set to 102.3 kg`,
      expect.stringMatching(/^size import \d+ done: 3 rows read: 2 studies updated, 1 skipped, 0 rows not found, 0 rows with errors$/),
      '',
    ]);
    const after = await sizes(t.db, ids);
    for (const [i, e] of facts.expectedAfterUpdate.studiesInImportOrder.entries()) {
      if (e.heightM === null) expect(after[i]!.heightM).toBeNull();
      else expect(after[i]!.heightM).toBeCloseTo(e.heightM, 7);
      if (e.weightKg === null) expect(after[i]!.weightKg).toBeNull();
      else expect(after[i]!.weightKg).toBeCloseTo(e.weightKg, 7);
    }
    const [imp] = await listSizeImports(t.db, { limit: 1 });
    expect(imp).toMatchObject({ source: 'command line', fileName: 'sizes.csv', state: 'done', uploadPath: null, startedBy: { id: null, name: null } });
    const audit = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'ptsize.import').execute();
    expect(audit.map((a) => [a.actor, a.target])).toEqual([['command line', `size import ${imp!.id}`]]);
  });

  it('prints only rows with errors without -v, and leaves the user’s file in place', async () => {
    const file = writeCsv(dir, 'errors.csv', 'Acc no.;height;weight\nACC12345601;abc;90\nNOPE;170;70\n');
    const r = openrem(['ptsize', file, 'Acc no.', 'height', 'weight', '--overwrite'], t.env);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(1)).toEqual([
      'row 2 (ACC12345601): invalid: height "abc" is not a number: row skipped',
      expect.stringMatching(/^size import \d+ done: 2 rows read: 0 studies updated, 0 skipped, 1 row not found, 1 row with errors$/),
      '',
    ]);
    expect(openrem(['ptsize', file, 'Acc no.', 'height', 'weight'], t.env).status).toBe(0);
  });

  it('refuses a file with a quote never closed, naming its line, before changing any study', async () => {
    const before = await sizes(t.db, ids);
    const file = writeCsv(dir, 'quote.csv', `Acc no.,height,weight\n00938475,150,50\n"74624646290,150,50\nACC12345601,150,50\n`);
    const r = openrem(['ptsize', file, 'Acc no.', 'height', 'weight', '--overwrite'], t.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `openrem ptsize: ${file}: line 3: the quote (") that opens the value "74624646290,150,50…" is never closed, so the file ends inside that value; add the closing quote or remove the opening one\n`,
    );
    expect(await sizes(t.db, ids)).toEqual(before);
    const [imp] = await listSizeImports(t.db, { limit: 1 });
    expect(imp).toMatchObject({ fileName: 'quote.csv', state: 'failed', counts: { rows: 0, studiesUpdated: 0 } });
  });

  it('prints rows with errors only as far as the log lists them, and says how many more there were', () => {
    const rows = Array.from({ length: LISTED_ROWS_PER_OUTCOME + 2 }, (_, i) => `NOPE-${i},abc,70`);
    const file = writeCsv(dir, 'many.csv', ['Acc no.,height,weight', ...rows].join('\n'));
    const r = openrem(['ptsize', file, 'Acc no.', 'height', 'weight'], t.env);
    expect(r.status).toBe(0);
    const out = r.stdout.split('\n');
    expect(out.length).toBe(1 + LISTED_ROWS_PER_OUTCOME + 2 + 1);
    expect(out[LISTED_ROWS_PER_OUTCOME]).toBe(`row ${LISTED_ROWS_PER_OUTCOME + 1} (NOPE-${LISTED_ROWS_PER_OUTCOME - 1}): invalid: height "abc" is not a number: row skipped`);
    expect(out.slice(-3)).toEqual([
      '2 more rows with errors are counted but not listed: the log lists the first 10,000 of each kind, and every study updated or kept',
      expect.stringMatching(/^size import \d+ done: 10,002 rows read: 0 studies updated, 0 skipped, 0 rows not found, 10,002 rows with errors$/),
      '',
    ]);
  });

  it('names missing columns and unreadable files, and explains its usage', () => {
    const file = writeCsv(dir, 'other.csv', 'Accession,h,w\nA,1,2\n');
    const missing = openrem(['ptsize', file, 'Acc no.', 'h', 'w', '-u'], t.env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`openrem ptsize: ${file}: the file has no Study Instance UID column "Acc no."; its columns are "Accession", "h", "w"\n`);
    const twice = openrem(['ptsize', file, 'Accession', 'h', 'H'], t.env);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toBe(`openrem ptsize: ${file}: weight: column "h" is already chosen for another value\n`);
    const absent = openrem(['ptsize', join(dir, 'absent.csv'), 'a', 'b', 'c'], t.env);
    expect(absent.status).toBe(1);
    expect(absent.stderr).toBe(`openrem ptsize: ${join(dir, 'absent.csv')}: file not found\n`);
    const usage = openrem(['ptsize', file], t.env);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage: openrem ptsize FILE ID_COLUMN HEIGHT_COLUMN WEIGHT_COLUMN [--si-uid|-u] [--overwrite] [--verbose|-v]');
  });
});
