// The parts of export files that need no database: CSV fields, legal and unique sheet names,
// numbers in shown units, the filter in words, view codes for the NHSBSP audit, and the
// streaming workbook writer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meanOfReadings, shownNumber } from '../../src/export/cells.js';
import { csvField, csvLine } from '../../src/export/csv.js';
import { describeFilter, filterLine, WITHHELD } from '../../src/export/describe.js';
import { exportFileName, exportFilePath } from '../../src/export/paths.js';
import { viewCode } from '../../src/export/nhsbsp.js';
import { legalSheetName, MAX_SHEET_NAME, SheetNames } from '../../src/export/sheet-names.js';
import { elementSymbol, filterMaterials, filterThicknesses } from '../../src/export/layouts/xray.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { corpusBytes } from '../helpers/corpus.js';
import { parseQuery, filterSchema } from '../../src/query/filters.js';
import { specForModality } from '../../src/query/modalities.js';
import { DAP, DOSE_GY, EXPOSURE } from '../../src/query/units.js';
import { XlsxFile } from '../../src/export/xlsx.js';
import { parseCsv, readXlsx } from './helpers.js';

describe('CSV fields', () => {
  it('quotes what needs quoting and reads back the same', () => {
    const cells = ['plain', 'a, b', 'say "hi"', 'two\nlines', ' padded ', 12.5, null, 'µGy·m² Ø'];
    const line = csvLine(cells);
    expect(line).toBe('plain,"a, b","say ""hi""","two\nlines"," padded ",12.5,,µGy·m² Ø\r\n');
    expect(parseCsv(line)).toEqual([['plain', 'a, b', 'say "hi"', 'two\nlines', ' padded ', '12.5', '', 'µGy·m² Ø']]);
  });

  it('keeps spreadsheets from running text as a formula, but not numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-0.1)).toBe('-0.1');
  });
});

describe('numbers in the shown unit', () => {
  it('converts and drops the float noise of the conversion', () => {
    expect(shownNumber(1.6e-5, DAP)).toBe(16);
    expect(shownNumber(4e-7, DAP)).toBe(0.4);
    expect(shownNumber(2.05e-5, DAP)).toBe(20.5);
    expect(shownNumber(0.00252, DOSE_GY)).toBe(2.52);
    expect(shownNumber(90200, EXPOSURE)).toBe(90.2);
    expect(shownNumber(34.040000000000006, null)).toBe(34.04);
  });
});

describe('sheet names', () => {
  it('replaces the characters Excel refuses and keeps to 31 characters', () => {
    expect(legalSheetName('Head [routine]: C/A/P*?\\')).toBe('Head _routine__ C_A_P___');
    expect(legalSheetName("'quoted'")).toBe('quoted');
    expect(legalSheetName('tab\there')).toBe('tab_here');
    expect(legalSheetName(null)).toBe('Unknown');
    expect(legalSheetName('   ')).toBe('Unknown');
    expect(legalSheetName('[]')).toBe('__');
    const long = legalSheetName('Thorax abdomen pelvis with contrast, portal venous phase');
    expect(long).toBe('Thorax abdomen pelvis with cont');
    expect(long).toHaveLength(MAX_SHEET_NAME);
    // A character outside the basic plane is not cut in half.
    expect(legalSheetName(`${'x'.repeat(30)}😀`)).toBe('x'.repeat(30));
  });

  it('makes names unique regardless of case, within 31 characters, around reserved names', () => {
    const names = new SheetNames(['Summary', 'All data']);
    expect(names.take('summary')).toBe('summary (2)');
    expect(names.take('CT Head')).toBe('CT Head');
    expect(names.take('ct head')).toBe('ct head (2)');
    expect(names.take('CT/Head')).toBe('CT_Head');
    expect(names.take('CT:Head')).toBe('CT_Head (2)');
    expect(names.take('History')).toBe('History (2)');
    const base = 'Thorax abdomen pelvis with contrast A';
    const first = names.take(base);
    const second = names.take(`${base}B`);
    const third = names.take(`${base}C`);
    expect([first, second, third]).toEqual(['Thorax abdomen pelvis with cont', 'Thorax abdomen pelvis with (2)', 'Thorax abdomen pelvis with (3)']);
    for (const n of [first, second, third]) expect(n.length).toBeLessThanOrEqual(MAX_SHEET_NAME);
    expect(names.take(null)).toBe('Unknown');
    expect(names.take('')).toBe('Unknown (2)');
  });
});

describe('the filter in words', () => {
  it('names each condition with its unit, in the order of the form', () => {
    const spec = specForModality('CT')!;
    const filter = parseQuery(filterSchema(spec, { pid: true }), { dlpMax: '1000', dateFrom: '2024-01-01', studyDescription: 'head', sex: 'F', testData: 'exclude', patientName: 'smith' });
    const words = describeFilter(spec, filter, { pid: true });
    expect(words).toEqual([
      ['Study date from', '2024-01-01'],
      ['Study description contains', 'head'],
      ['Patient name contains', 'smith'],
      ['Total DLP to', '1000 mGy·cm'],
      ['Sex', 'Female'],
      ['Test patients', 'left out'],
    ]);
    // In a file without patient identifiers, the condition is named and the person is not.
    expect(describeFilter(spec, filter, { pid: false })[2]).toEqual(['Patient name contains', WITHHELD]);
    expect(filterLine([])).toBe('none (all studies)');
    const rf = specForModality('RF')!;
    expect(describeFilter(rf, parseQuery(filterSchema(rf), { dapMin: '5000' }), { pid: false })).toEqual([['Total DAP from', '5000 cGy·cm²']]);
  });
});

describe('export file names', () => {
  it('are made from the task, and only such names resolve inside the exports folder', () => {
    expect(exportFileName('CT', 'xlsx', true, 12)).toBe('openrem-ct-export-pid-12.xlsx');
    expect(exportFileName('MG', 'nhsbsp', false, 3)).toBe('openrem-mg-nhsbsp-3.csv');
    expect(exportFilePath('/data', 'openrem-ct-export-12.csv')).toBe('/data/media/exports/openrem-ct-export-12.csv');
    for (const bad of ['../openrem.sqlite3', 'openrem-ct-export-12.csv/../../x', '/etc/passwd', 'openrem-ct-export-12.csv.partial', 'x.csv']) {
      expect(exportFilePath('/data', bad)).toBeNull();
    }
  });
});

describe('X-ray values as physicists write them', () => {
  it('gives materials as element symbols and a filter thickness as the mean of its range', () => {
    expect(elementSymbol('Molybdenum or Molybdenum compound')).toBe('Mo');
    expect(elementSymbol('Copper or Copper compound')).toBe('Cu');
    expect(elementSymbol('Unobtainium')).toBe('Unobtainium');
    expect(filterThicknesses([{ material: 'Copper', thicknessMinimumMm: 0.1, thicknessMaximumMm: 0.3 }, { material: 'Aluminum', thicknessMinimumMm: 1, thicknessMaximumMm: null }])).toBe('0.2 | 1');
  });

  it('writes "none" for an event the report says had no filter, and names a filter of unknown material by its type', () => {
    const outcome = extractFromBytes(corpusBytes('Dual-RDSR-RF.dcm'));
    if (outcome.status !== 'report') throw new Error(outcome.status);
    const materials = outcome.report.projection!.events.map((e) => filterMaterials(e.filters));
    expect(materials).toEqual(['Cu', 'none', 'Cu', 'Cu']);
    expect(filterMaterials([{ type: 'Wedge filter', material: null }, { material: null }])).toBe('Wedge filter | ?');
  });

  it('gives the mean of per-pulse readings without float noise, leaving out pulses without a reading', () => {
    // The plain mean of these is 0.15000000000000002.
    expect(meanOfReadings([0.1, 0.2])).toBe(0.15);
    expect(meanOfReadings([81.3, 81.3, 81.4])).toBe(81.3333333333);
    expect(meanOfReadings([70, 0, 72, null])).toBe(71);
    expect(meanOfReadings([0, null])).toBeNull();
    expect(meanOfReadings(undefined)).toBeNull();
  });

  it('codes mammography views for the NHSBSP audit and leaves out specimens and biopsies', () => {
    expect(viewCode({ laterality: 'Right', viewPosition: 'medio-lateral oblique' })).toBe('ROB');
    expect(viewCode({ laterality: 'Left', viewPosition: 'cranio-caudal exaggerated laterally' })).toBe('LXCCL');
    expect(viewCode({ laterality: 'Left', viewPosition: 'some new view' })).toBe('Lsome new view');
    expect(viewCode({ laterality: 'Left', viewPosition: 'specimen' })).toBeNull();
    expect(viewCode({ laterality: 'Left', viewPosition: 'cranio-caudal', acquisitionProtocol: 'Biopsy prefire' })).toBeNull();
    expect(viewCode({ laterality: null, viewPosition: 'cranio-caudal' })).toBeNull();
  });
});

describe('the streaming workbook writer', () => {
  it('finishes a sheet whose last rows are more than the zip takes at once, and goes on to the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openrem-xlsx-'));
    try {
      const path = join(dir, 'book.xlsx');
      const book = new XlsxFile(path, new AbortController().signal);
      // About 1 KB a row: the rows after the writer's last pause fill the zip's intake well past
      // its 16 KB mark when the sheet ends.
      const text = (sheet: string, i: number) => `${sheet} row ${i} `.padEnd(1000, String.fromCharCode(97 + (i % 26)));
      const write = async () => {
        for (const name of ['First', 'Second']) {
          const sheet = book.sheet(name, ['Text', 'Number']);
          for (let i = 1; i <= 199; i++) await sheet.row([text(name, i), i]);
          await sheet.end();
        }
        await book.commit();
      };
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the workbook writer stalled')), 20_000)));
      await Promise.race([write(), stalled]).finally(() => clearTimeout(timer));
      const sheets = await readXlsx(path);
      expect(sheets.map((s) => s.name)).toEqual(['First', 'Second']);
      for (const sheet of sheets) {
        expect(sheet.rows).toHaveLength(200);
        expect(sheet.rows[0]).toEqual(['Text', 'Number']);
        expect(sheet.rows[199]).toEqual([text(sheet.name, 199), 199]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
