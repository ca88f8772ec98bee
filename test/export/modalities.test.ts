// Exports of real corpus studies of every modality, on each engine, read back and checked:
// headers with their units, values in the units shown (DLP, CTDIvol per event and per tube,
// DAP in cGy·cm² per plane, AGD per breast, activity), the XLSX sheets, the NHSBSP audit
// layout, openSkin, patient identifier columns and the filter and version every file carries.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../src/cli/main.js';
import { listExportKindFor, openSkinExport, type ListExportParams } from '../../src/export/kinds.js';
import { exportsDir } from '../../src/export/paths.js';
import { importFile } from '../../src/ingest/import-file.js';
import type { Modality } from '../../src/report/types.js';
import { parseSettings } from '../../src/settings/site.js';
import { loadSettings, saveSettings } from '../../src/settings/store.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { importCorpus } from '../web/fixtures.js';
import { biPlaneRdsr } from '../helpers/biplane.js';
import { parseCsv, readCsvExport, readXlsx, runExport, sheetCell, type CsvExport, type Sheet } from './helpers.js';
import { readFileSync } from 'node:fs';

const FILES = [
  'CT-RDSR-Siemens_Flash-QA-DS.dcm',
  'CT-RDSR-Siemens_Flash-TAP-SS.dcm',
  'CT-ESR-GE_Optima.dcm',
  'CT-RDSR-Toshiba_DoseCheck.dcm',
  'RF-RDSR-Siemens-Zee.dcm',
  'DX-RDSR-Canon_CXDI.dcm',
  'MG-RDSR-Hologic_2D.dcm',
  'MG-RDSR-Hologic_mix.dcm',
  'MG-Im-GE_Seno_2_ForPresentation.dcm',
  'NM-RRDSR-Siemens.dcm',
];

const BY = { id: null, name: 'tester' };

describe.each(ENGINES)('exports of corpus studies on %s', (engine) => {
  let t: TestDb;
  let ids: Map<string, number>;
  let biPlaneId: number;

  const exportFile = async (modality: Modality, params: Partial<ListExportParams>): Promise<string> => {
    const row = await runExport(t.db, t.dataDir, listExportKindFor(modality), { format: 'csv', pid: false, filter: {}, ...params }, BY);
    return join(exportsDir(t.dataDir), (JSON.parse(row.result!) as { file: string }).file);
  };
  const csv = async (modality: Modality, params: Partial<ListExportParams> = {}): Promise<CsvExport> => readCsvExport(await exportFile(modality, params));
  const xlsx = async (modality: Modality, params: Partial<ListExportParams> = {}): Promise<Sheet[]> => readXlsx(await exportFile(modality, { ...params, format: 'xlsx' }));
  const rowOf = (e: CsvExport, header: string, value: string) => {
    const row = e.rows.find((r) => e.cell(r, header) === value);
    if (!row) throw new Error(`no row with ${header} = ${value}`);
    return row;
  };

  beforeAll(async () => {
    t = await createTestDb(engine);
    await saveSettings(t.db.kysely, parseSettings({ patientId: { storePatientName: true, storePatientId: true, storePatientBirthDate: true } }));
    ids = await importCorpus(t.db, FILES);
    const biPlane = join(t.dataDir, 'bi-plane.dcm');
    writeFileSync(biPlane, biPlaneRdsr());
    const r = await importFile(t.db, await loadSettings(t.db.kysely), biPlane);
    if (r.status !== 'imported') throw new Error(`bi-plane file: ${r.status} ${r.message}`);
    biPlaneId = r.studyId!;
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('CT as CSV: a row per study with its events to the right, per-tube columns, units in the headers', async () => {
    const e = await csv('CT');
    expect(e.preamble[0]).toEqual([`OpenREM ${version()}`, 'CT export (CSV)', expect.stringMatching(/^exported \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/), 'by tester']);
    expect(e.preamble[1]).toEqual(['Filters', 'none (all studies)']);
    expect(e.rows).toHaveLength(4);
    expect(e.header).not.toContain('Patient name');
    expect(e.header.slice(0, 3)).toEqual(['Institution', 'Manufacturer', 'Model name']);
    // The study with the most events (9) sets the event groups.
    expect(e.header).toContain('E9 CTDIvol (mGy)');
    expect(e.header).not.toContain('E10 CTDIvol (mGy)');
    const ds = rowOf(e, 'Accession number', '74624646290');
    expect(e.cell(ds, 'DLP total (mGy·cm)')).toBe('1590');
    expect(e.cell(ds, 'No. events')).toBe('9');
    expect(e.cell(ds, 'Study description')).toBe('Specials^PhysicsTesting (Adult)');
    expect(e.cell(ds, 'E9 Protocol')).toBe('DS_hel p 0.23');
    expect(e.cell(ds, 'E9 Type')).toBe('Spiral Acquisition');
    expect(e.cell(ds, 'E9 CTDIvol (mGy)')).toBe('29.67');
    expect(e.cell(ds, 'E9 DLP (mGy·cm)')).toBe('369.34');
    expect(e.cell(ds, 'E9 Pitch')).toBe('0.19');
    expect(e.cell(ds, 'E9 No. sources')).toBe('2');
    // Dual source: each tube in its own columns.
    expect(e.cell(ds, 'E1 S1 name')).toBe('A');
    expect(e.cell(ds, 'E1 S1 kVp (kV)')).toBe('100');
    expect(e.cell(ds, 'E1 S1 mA (mA)')).toBe('399');
    expect(e.cell(ds, 'E1 S2 name')).toBe('B');
    expect(e.cell(ds, 'E1 S2 kVp (kV)')).toBe('140');
    expect(e.cell(ds, 'E1 S2 mA (mA)')).toBe('308');
    expect(e.cell(ds, 'E1 S2 exposure time per rotation (s)')).not.toBe('');
    // Single source: the second tube's columns stay empty; fewer events leave later groups empty.
    const ss = rowOf(e, 'Accession number', 'ACC12345601');
    expect(e.cell(ss, 'E4 Protocol')).toBe('TAP');
    expect(e.cell(ss, 'E4 CTDIvol (mGy)')).toBe('9.91');
    expect(e.cell(ss, 'E4 S1 mA (mA)')).toBe('176');
    expect(e.cell(ss, 'E4 S2 name')).toBe('');
    expect(e.cell(ss, 'E4 S2 kVp (kV)')).toBe('');
    expect(e.cell(ss, 'E5 Protocol')).toBe('');
    const check = rowOf(e, 'Accession number', '3599305798462538');
    expect(e.cell(check, 'E1 Dose check details')).toContain('DLP alert value: 100 mGy·cm');
    expect(e.cell(check, 'E1 Dose check details')).toContain('Alert person participant: Luuk');
  });

  it('CT as XLSX: summary with frequencies, all data, a sheet per protocol with a row per event', async () => {
    const sheets = await xlsx('CT');
    const names = sheets.map((s) => s.name);
    expect(names.slice(0, 2)).toEqual(['Summary', 'All data']);
    // Protocols in name order, the events without a protocol on "Unknown".
    expect(names.slice(2)).toEqual([
      'Abdomen Routine ZC (NR)',
      'DE_laser align',
      'DS 100kV',
      'DS 140kV',
      'DS 50mAs',
      'DS 80kV',
      'DS axial std',
      'DS_hel p 0.23',
      'DS_helical',
      'Monitoring',
      'PreMonitoring',
      'TAP',
      'testÃ¦Ã¸Ã¥',
      'Unknown',
    ]);
    const summary = sheets[0]!;
    expect(summary.rows[0]).toEqual([`OpenREM ${version()}`, 'CT export (XLSX)']);
    const find = (label: string) => summary.rows.find((r) => r[0] === label);
    expect(find('Studies')?.[1]).toBe(4);
    expect(find('Irradiation events')?.[1]).toBe(21);
    expect(find('Filters')?.[1]).toBe('none (all studies)');
    const tableHeader = summary.rows.findIndex((r) => r[0] === 'Study description');
    expect(summary.rows[tableHeader]).toEqual(['Study description', 'Frequency', null, 'Requested procedure', 'Frequency', null, 'Acquisition protocol', 'Events', 'Sheet']);
    const protocols = summary.rows.slice(tableHeader + 1).map((r) => [r[6], r[7], r[8]]);
    expect(protocols).toContainEqual(['DS axial std', 2, 'DS axial std']);
    expect(protocols).toContainEqual(['(not recorded)', 6, 'Unknown']);
    expect(protocols[0]).toEqual(['(not recorded)', 6, 'Unknown']);

    const all = sheets[1]!;
    expect(all.rows).toHaveLength(5);
    const ds = all.rows.findIndex((r) => r[all.rows[0]!.indexOf('Accession number')] === '74624646290');
    expect(sheetCell(all, ds, 'DLP total (mGy·cm)')).toBe(1590);
    expect(sheetCell(all, ds, 'E9 CTDIvol (mGy)')).toBe(29.67);
    expect(sheetCell(all, ds, 'E2 S2 mA (mA)')).toBe(509);

    const axial = sheets.find((s) => s.name === 'DS axial std')!;
    expect(axial.rows).toHaveLength(3);
    expect(axial.rows[0]).toContain('CTDIvol (mGy)');
    expect(axial.rows[0]).toContain('DLP total (mGy·cm)');
    expect([1, 2].map((r) => sheetCell(axial, r, 'CTDIvol (mGy)'))).toEqual([21.95, 17.1]);
    expect([1, 2].map((r) => sheetCell(axial, r, 'S1 mA (mA)'))).toEqual([511, 796]);
    expect(sheetCell(axial, 1, 'DLP total (mGy·cm)')).toBe(1590);
    expect(sheets.find((s) => s.name === 'Unknown')!.rows).toHaveLength(7);
  });

  it('exports only the studies the filter selects, and says which filter it used', async () => {
    const e = await csv('CT', { filter: { studyDescription: 'thorax', dlpMin: '500' } });
    expect(e.preamble[1]).toEqual(['Filters', 'Study description contains: thorax; Total DLP from: 500 mGy·cm']);
    expect(e.rows.map((r) => e.cell(r, 'Accession number'))).toEqual(['ACC12345601']);
    const sheets = await xlsx('CT', { filter: { acquisitionProtocol: 'DS_hel' } });
    expect(sheets.map((s) => s.name)).toContain('DS axial std');
    expect(sheets[1]!.rows).toHaveLength(2);
    const summary = sheets[0]!;
    expect(summary.rows.find((r) => r[0] === 'Filters')?.[1]).toBe('Acquisition protocol contains: DS_hel');
    expect(summary.rows).toContainEqual([null, 'Acquisition protocol contains', 'DS_hel']);
  });

  it('adds patient name, ID and birth date columns to the pid variant', async () => {
    const e = await csv('CT', { pid: true });
    expect(e.header.slice(0, 3)).toEqual(['Patient name', 'Patient ID', 'Institution']);
    expect(e.header).toContain('Date of birth');
    const row = rowOf(e, 'Accession number', 'ACC12345601');
    expect(e.cell(row, 'Patient name')).toContain('SMITH');
    expect(e.cell(row, 'Patient ID')).toBe('123456');
    expect(e.cell(row, 'Date of birth')).toBe('1929-05-19');
    const sheets = await xlsx('CT', { pid: true });
    expect(sheets[1]!.rows[0]!.slice(0, 2)).toEqual(['Patient name', 'Patient ID']);
  });

  it('names a patient searched for only in the pid variant; a file without identifiers withholds it', async () => {
    const filter = { patientName: 'smith' };
    const withPid = await csv('CT', { pid: true, filter });
    expect(withPid.preamble[1]).toEqual(['Filters', 'Patient name contains: smith']);
    expect(withPid.rows.map((r) => withPid.cell(r, 'Accession number'))).toEqual(['ACC12345601']);
    const without = await csv('CT', { filter });
    expect(without.preamble[1]).toEqual(['Filters', 'Patient name contains: (withheld: a patient identifier)']);
    expect(without.rows.map((r) => without.cell(r, 'Accession number'))).toEqual(['ACC12345601']);
    const summary = (await xlsx('CT', { filter }))[0]!;
    expect(JSON.stringify(summary.rows).toLowerCase()).not.toContain('smith');
  });

  it('RF: DAP in cGy·cm² and dose at RP in mGy, per plane; a bi-plane study fills plane B', async () => {
    const e = await csv('RF');
    expect(e.rows).toHaveLength(2);
    expect(e.header).toEqual(expect.arrayContaining(['DAP total (cGy·cm²)', 'A DAP total (cGy·cm²)', 'A Dose RP total (mGy)', 'B DAP total (cGy·cm²)', 'B Dose RP total (mGy)', 'E8 DAP (cGy·cm²)', 'E8 Plane']));
    const single = e.rows.find((r) => e.cell(r, 'B DAP total (cGy·cm²)') === '')!;
    expect(e.cell(single, 'A DAP total (cGy·cm²)')).toBe('16');
    expect(e.cell(single, 'A Dose RP total (mGy)')).toBe('2.52');
    expect(e.cell(single, 'A Fluoro DAP total (cGy·cm²)')).toBe('16');
    expect(e.cell(single, 'A Fluoro duration total (s)')).toBe('28');
    expect(e.cell(single, 'E8 DAP (cGy·cm²)')).toBe('0.4');
    expect(e.cell(single, 'E8 Type')).toBe('Fluoroscopy');
    expect(e.cell(single, 'E8 Time')).toBe('2016-05-12 10:24:45');
    const bi = e.rows.find((r) => e.cell(r, 'B DAP total (cGy·cm²)') !== '')!;
    expect(e.cell(bi, 'A DAP total (cGy·cm²)')).toBe('16');
    expect(e.cell(bi, 'B DAP total (cGy·cm²)')).toBe('4.5');
    expect(e.cell(bi, 'B Dose RP total (mGy)')).toBe('0.8');
    expect(e.cell(bi, 'DAP total (cGy·cm²)')).toBe('20.5');
    expect(['E1', 'E5', 'E6', 'E8'].map((p) => e.cell(bi, `${p} Plane`))).toEqual(['Plane A', 'Plane A', 'Plane B', 'Plane B']);

    const sheets = await xlsx('RF');
    const all = sheets[1]!;
    const row = all.rows.findIndex((r, i) => i > 0 && sheetCell(all, i, 'B DAP total (cGy·cm²)') !== null);
    expect(sheetCell(all, row, 'B DAP total (cGy·cm²)')).toBe(4.5);
    expect(sheetCell(all, row, 'E8 DAP (cGy·cm²)')).toBe(0.4);
    const protocolSheet = sheets.find((s) => s.name === 'FL - Ang')!;
    expect(protocolSheet.rows[0]).toContain('Plane');
    expect(protocolSheet.rows.slice(1).some((r, i) => sheetCell(protocolSheet, i + 1, 'Plane') === 'Plane B')).toBe(true);
  });

  it('DX: total and event DAP in cGy·cm², technique in kV, mA, ms and mAs', async () => {
    const e = await csv('DX');
    expect(e.rows).toHaveLength(1);
    const [row] = e.rows;
    expect(e.cell(row!, 'DAP total (cGy·cm²)')).toBe('10.7');
    expect(e.cell(row!, 'E1 DAP (cGy·cm²)')).toBe('10.7');
    expect(e.cell(row!, 'E1 Protocol')).toBe('THORAX AP 90kv-0,9mAs');
    expect(e.cell(row!, 'E1 kVp (kV)')).toBe('90');
    expect(e.cell(row!, 'E1 mA (mA)')).toBe('160');
    expect(e.cell(row!, 'E1 Exposure time (ms)')).toBe('5');
    expect(e.header).toContain('E1 Exposure (mAs)');
    expect(e.header).toContain('Height (m)');
  });

  it('MG: accumulated AGD per breast and per exposure, without patient size columns', async () => {
    const e = await csv('MG');
    expect(e.header).not.toContain('Height (m)');
    expect(e.header).toEqual(expect.arrayContaining(['Accumulated AGD left breast (mGy)', 'Accumulated AGD right breast (mGy)', 'E1 AGD (mGy)', 'E1 Compression thickness (mm)', 'E1 Exposure (mAs)']));
    const hologic = e.rows.find((r) => e.cell(r, 'No. events') === '2')!;
    expect(e.cell(hologic, 'Accumulated AGD left breast (mGy)')).toBe('1.3');
    expect(e.cell(hologic, 'Accumulated AGD right breast (mGy)')).toBe('1.28');
    expect(e.cell(hologic, 'Accumulated AGD both breasts (mGy)')).toBe('');
    expect(e.cell(hologic, 'E1 Laterality')).toBe('Left');
    expect(e.cell(hologic, 'E1 Image view')).toBe('cranio-caudal');
    expect(e.cell(hologic, 'E1 AGD (mGy)')).toBe('1.3');
    expect(e.cell(hologic, 'E1 Anode')).toBe('W');
    expect(e.cell(hologic, 'E1 Filter')).toBe('Rh');
    expect(e.cell(hologic, 'E1 Exposure (mAs)')).toBe('90.2');
    expect(e.cell(hologic, 'E1 Compression thickness (mm)')).toBe('43');
    expect(e.cell(hologic, 'E2 AGD (mGy)')).toBe('1.28');
  });

  it('MG in the NHSBSP dose-audit layout: view codes, repeats numbered, non-screening exposures left out', async () => {
    const path = await exportFile('MG', { format: 'nhsbsp' });
    const rows = parseCsv(readFileSync(path, 'utf8'));
    expect(rows[0]![1]).toBe('Mammography export (NHSBSP dose audit CSV)');
    expect(rows[3]).toEqual([
      'Survey number', 'Patient number', 'View code', 'kV', 'Anode', 'Filter', 'Thickness', 'mAs', 'large cassette used',
      'auto/man', 'Auto mode', 'Density setting', 'Age', 'Comment', 'AEC density mode',
    ]);
    const data = rows.slice(4);
    // Studies are numbered in export order (import order here): Hologic 2D, Hologic mix, then
    // the GE stereotactic image, which is left out.
    expect(data.map((r) => [r[1], r[2]])).toEqual([
      ['1', 'LCC'],
      ['1', 'RCC'],
      ['2', 'RCC'],
      ['2', 'ROB'],
      ['2', 'LCC'],
      ['2', 'RCC2'],
      ['2', 'RCC3'],
      ['2', 'RCC4'],
      ['2', 'RCC5'],
    ]);
    expect(data[0]).toEqual(['1', '1', 'LCC', '28', 'W', 'Rh', '43', '90.2', '', '', '', '', '61', '', '']);
    expect(data[3]!.slice(3, 8)).toEqual(['26', 'W', 'Al', '21', '35.6']);
  });

  it('NM: one row per study with the administration, activity in MBq and effective dose in mSv', async () => {
    const e = await csv('NM');
    expect(e.rows).toHaveLength(1);
    const [row] = e.rows;
    expect(e.cell(row!, 'Radiopharmaceutical')).toBe('Fluorodeoxyglucose F^18^');
    expect(e.cell(row!, 'Radionuclide')).toBe('^18^Fluorine');
    expect(e.cell(row!, 'Administered activity (MBq)')).toBe('394');
    expect(e.cell(row!, 'Effective dose (mSv)')).toBe('7.486');
    expect(e.cell(row!, 'Radionuclide half-life (s)')).toBe('6586.2');
    expect(e.cell(row!, 'Organ doses (mGy)')).toContain('Brain: 14.97');
    expect(e.cell(row!, 'Height (m)')).toBe('1.78');
    expect(e.cell(row!, 'Mass (kg)')).toBe('110');
    expect(e.header.some((h) => h.startsWith('E1 '))).toBe(false);
    const sheets = await xlsx('NM');
    expect(sheets.map((s) => s.name)).toEqual(['Summary', 'All data']);
    expect(sheetCell(sheets[1]!, 1, 'Administered activity (MBq)')).toBe(394);
  });

  it('openSkin: one fluoroscopy study, a row per event in the openSkin column order, SR units', async () => {
    const row = await runExport(t.db, t.dataDir, openSkinExport, { studyId: ids.get('RF-RDSR-Siemens-Zee.dcm')! }, BY);
    const file = (JSON.parse(row.result!) as { file: string }).file;
    expect(file).toBe(`openrem-rf-openskin-${row.id}.csv`);
    const rows = parseCsv(readFileSync(join(exportsDir(t.dataDir), file), 'utf8'));
    expect(rows[0]!.slice(0, 2)).toEqual([`OpenREM ${version()}`, 'openSkin export (values in DICOM SR units: DAP Gy·m², dose at RP Gy)']);
    const events = rows.slice(3);
    expect(events).toHaveLength(8);
    const last = events[7]!;
    expect(last).toHaveLength(39);
    expect(last.slice(0, 8)).toEqual(['Anon', 'O', '1.3.6.1.4.1.5962.99.1.3248661973.865054762.1480717444565.3.0', '', 'Single Plane', '2016-05-12 10:24:45', 'Fluoroscopy', 'FL - Ang']);
    expect(last[8]).toBe('15cm from Isocenter toward Source');
    expect(last[9]).toBe('1.3.6.1.4.1.5962.99.1.3248661973.865054762.1480717444565.11.0');
    expect(Number(last[10])).toBe(4e-7);
    expect(last[12]).toBe('-0.1');
    expect(last.slice(32, 37)).toEqual(['1200', '785', '-100.2', '597.5', '150']);
    expect(last[37]).toBe('Entire body');
  });

  it('an openSkin export of a bi-plane study gives each event its plane', async () => {
    const row = await runExport(t.db, t.dataDir, openSkinExport, { studyId: biPlaneId }, BY);
    const rows = parseCsv(readFileSync(join(exportsDir(t.dataDir), (JSON.parse(row.result!) as { file: string }).file), 'utf8')).slice(3);
    expect(rows.map((r) => r[4])).toEqual([...Array<string>(5).fill('Plane A'), ...Array<string>(3).fill('Plane B')]);
  });
});
