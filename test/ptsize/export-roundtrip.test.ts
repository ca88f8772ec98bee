// A CT export, filled in with heights and weights in a spreadsheet, read back as a patient
// size file: its version and filter lines are passed over, its own column names chosen, and
// the sizes land on the exported studies.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExportKindFor } from '../../src/export/kinds.js';
import { exportsDir } from '../../src/export/paths.js';
import { readLayout } from '../../src/ptsize/read-csv.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { importCorpus } from '../web/fixtures.js';
import { parseCsv, runExport } from '../export/helpers.js';
import { importFile, sizes } from './helpers.js';

const FILES = ['CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-ESR-GE_Optima.dcm'];

const quoted = (row: readonly string[]) => row.map((f) => `"${f.replaceAll('"', '""')}"`).join(',');

describe.each(ENGINES)('a CT export read back as patient sizes on %s', (engine) => {
  let t: TestDb;
  let ids: Map<string, number>;
  beforeAll(async () => {
    t = await createTestDb(engine);
    ids = await importCorpus(t.db, FILES);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('passes over the preamble and updates the studies by accession number', async () => {
    const task = await runExport(t.db, t.dataDir, listExportKindFor('CT'), { format: 'csv', pid: false, filter: {} }, { id: null, name: 'tester' });
    const exported = join(exportsDir(t.dataDir), (JSON.parse(task.result!) as { file: string }).file);
    const [title, filters, blank, header, ...rows] = parseCsv(readFileSync(exported, 'utf8'));
    const at = (name: string) => header!.indexOf(name);
    expect(at('Height (m)')).toBeGreaterThan(0);
    // As a physicist would: fill in the Flash study's missing height, leave the rest.
    const flash = rows.find((r) => r[at('Accession number')] === '74624646290')!;
    expect([flash[at('Height (m)')], flash[at('Mass (kg)')]]).toEqual(['', '75']);
    flash[at('Height (m)')] = '1.72';
    const edited = join(t.dataDir, 'sizes-from-export.csv');
    writeFileSync(edited, [title!, filters!, blank!, header!, ...rows].map(quoted).join('\r\n') + '\r\n');

    const layout = await readLayout(edited);
    expect(layout.titleRows).toBe(3);
    expect(layout.columns.slice(0, 3)).toEqual(['Institution', 'Manufacturer', 'Model name']);
    expect(layout.preview).toHaveLength(2);

    const { imp, error } = await importFile(t.db, edited, { idColumn: 'Accession number', idKind: 'accession', heightColumn: 'Height (m)', weightColumn: 'Mass (kg)', heightUnit: 'auto', overwrite: false });
    expect(error).toBeNull();
    expect(imp.counts).toEqual({ rows: 2, studiesUpdated: 1, skipped: 1, rowsNotFound: 0, rowsInvalid: 0 });
    const [flashSize, optimaSize] = await sizes(t.db, [ids.get(FILES[0]!)!, ids.get(FILES[1]!)!]);
    expect(flashSize).toEqual({ heightM: 1.72, weightKg: 75 });
    // The Optima's file carries 1.64 m and 78.2 kg: written back unchanged.
    expect(optimaSize).toEqual({ heightM: 1.64, weightKg: 78.2 });
  });
});
