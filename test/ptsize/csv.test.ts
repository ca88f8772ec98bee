// Reading patient size CSVs: the record parser (quotes, line ends, chunk boundaries), the
// delimiter and encoding as detected, the layout a file is given, and height/weight values.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvError, CsvParser, detectDelimiter, parseCsv, separatorLine, titleLines, type CsvRecord } from '../../src/ptsize/csv.js';
import { detectEncoding } from '../../src/ptsize/encoding.js';
import { guessMapping, mappingProblems } from '../../src/ptsize/mapping.js';
import { checkRecords, CsvLayoutError, findColumn, missingColumns, readLayout, readRecords } from '../../src/ptsize/read-csv.js';
import { parseHeight, parseWeight, unitFromColumnName } from '../../src/ptsize/values.js';

const dir = mkdtempSync(join(tmpdir(), 'openrem-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Uint8Array): string {
  const path = join(dir, `f${++n}.csv`);
  writeFileSync(path, content);
  return path;
}

const fields = (records: CsvRecord[]) => records.map((r) => r.fields);

describe('CSV records', () => {
  it('reads quoted values holding delimiters, doubled quotes and line breaks', () => {
    const text = 'id,note,h\r\nA1,"Smith, J",170\r\n"A""2","two\nlines",165\n';
    expect(parseCsv(text, ',')).toEqual([
      { row: 1, fields: ['id', 'note', 'h'] },
      { row: 2, fields: ['A1', 'Smith, J', '170'] },
      { row: 3, fields: ['A"2', 'two\nlines', '165'] },
    ]);
  });

  it('accepts CRLF, LF and CR line ends, a last line without one, and counts blank lines as rows', () => {
    expect(parseCsv('a;b\r\n1;2\r3;4\n\n5;6', ';')).toEqual([
      { row: 1, fields: ['a', 'b'] },
      { row: 2, fields: ['1', '2'] },
      { row: 3, fields: ['3', '4'] },
      { row: 4, fields: [''] },
      { row: 5, fields: ['5', '6'] },
    ]);
    expect(fields(parseCsv('a,b,\n,,\n', ','))).toEqual([
      ['a', 'b', ''],
      ['', '', ''],
    ]);
  });

  it('gives the same records however the text is cut into pieces', () => {
    const text = 'id\theight\r\n"x\t1"\t"1""7\r\n0"\r\ny\t\r\n"z"x\t2\r';
    const whole = parseCsv(text, '\t');
    expect(fields(whole)).toEqual([
      ['id', 'height'],
      ['x\t1', '1"7\r\n0'],
      ['y', ''],
      ['zx', '2'],
    ]);
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new CsvParser('\t');
      const out: CsvRecord[] = [];
      parser.push(text.slice(0, cut), out);
      parser.push(text.slice(cut), out);
      parser.end(out);
      expect(out, `cut at ${cut}`).toEqual(whole);
    }
    const parser = new CsvParser('\t');
    const out: CsvRecord[] = [];
    for (const ch of text) parser.push(ch, out);
    parser.end(out);
    expect(out).toEqual(whole);
  });

  it('stops at a quote that is never closed, naming the line it is on', () => {
    expect(() => parseCsv('id,h\nA,"170\nB,180\n', ',')).toThrow(
      new CsvError('line 2: the quote (") that opens the value "170…" is never closed, so the file ends inside that value; add the closing quote or remove the opening one'),
    );
    // Lines, not records: quoted values with line breaks (CRLF, LF, CR) and blank lines come before it.
    const text = 'id,note\nA,"two\nlines"\r\nB,"x""y\rz"\n\nC,"open ended, and more than forty characters long\nD,1\n';
    const message =
      'line 7: the quote (") that opens the value "open ended, and more than forty characte…" is never closed, so the file ends inside that value; add the closing quote or remove the opening one';
    expect(() => parseCsv(text, ',')).toThrow(new CsvError(message));
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new CsvParser(',');
      const out: CsvRecord[] = [];
      parser.push(text.slice(0, cut), out);
      parser.push(text.slice(cut), out);
      expect(() => parser.end(out), `cut at ${cut}`).toThrow(new CsvError(message));
      expect(out.map((r) => r.row)).toEqual([1, 2, 3, 4]);
    }
    const parser = new CsvParser(',');
    const out: CsvRecord[] = [];
    expect(() => {
      parser.push('id,h\n1,2\n"', out);
      for (let i = 0; i < 20; i++) parser.push('x'.repeat(65536), out);
    }).toThrow(
      new CsvError(
        `line 3: the quote (") that opens the value "${'x'.repeat(40)}…" is not closed within 1,048,576 characters, so it is probably never closed; add the closing quote or remove the opening one`,
      ),
    );
    expect(() => parseCsv(`id,h\n\n${'y'.repeat(1 << 20)}z,1\n`, ',')).toThrow(new CsvError('line 3: a value is longer than 1,048,576 characters, which no patient size table has'));
  });

  it('detects comma, semicolon and tab from the header and the lines after it', () => {
    expect(detectDelimiter(['Acc num,height,weight', 'A,170,80'])).toBe(',');
    expect(detectDelimiter(['Acc num;height;weight', 'A;170;80,6', 'B;165;72,5'])).toBe(';');
    expect(detectDelimiter(['Acc\theight\tweight', 'A\t170\t80'])).toBe('\t');
    // A header with both: the one that splits the data rows like the header wins.
    expect(detectDelimiter(['Acc;height, cm;weight', 'A;170;80,6', 'B;165;72,5'])).toBe(';');
    expect(detectDelimiter(['"Name; first",Acc,h', 'x,1,2'])).toBe(',');
    expect(detectDelimiter(['just one column', '1'])).toBeNull();
    expect(separatorLine('sep=;')).toBe(';');
    expect(separatorLine('"sep=,"')).toBe(',');
    expect(separatorLine('sep=|')).toBeNull();
  });
});

describe('encoding', () => {
  const text = 'Acc;Name;height\nA1;Zoë Müller;170\n';
  it('recognises UTF-8 with and without a byte-order mark and UTF-16 with one', async () => {
    expect(await detectEncoding(file(text))).toEqual({ name: 'utf-8', bom: 0, label: 'UTF-8' });
    expect(await detectEncoding(file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])))).toEqual({ name: 'utf-8', bom: 3, label: 'UTF-8 with byte-order mark' });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(await detectEncoding(file(le))).toMatchObject({ name: 'utf-16le', bom: 2 });
    const be = Buffer.from(le);
    be.swap16();
    expect(await detectEncoding(file(be))).toMatchObject({ name: 'utf-16be', bom: 2 });
  });

  it('reads a file that is not UTF-8 throughout as Latin-1, even when the first invalid byte is far in', async () => {
    expect(await detectEncoding(file(Buffer.from(text, 'latin1')))).toEqual({ name: 'windows-1252', bom: 0, label: 'Latin-1 (not valid UTF-8)' });
    const late = Buffer.concat([Buffer.from('Acc,h\n' + 'A1,170\n'.repeat(30_000)), Buffer.from('B\xe9,165\n', 'latin1')]);
    expect(late.length).toBeGreaterThan(200_000);
    expect((await detectEncoding(file(late))).name).toBe('windows-1252');
  });

  it('says what a file is when it is not text', async () => {
    await expect(readLayout(file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0])))).rejects.toThrow(
      new CsvLayoutError('this is a spreadsheet workbook (such as .xlsx), not a CSV file: save it from the spreadsheet as CSV and upload that'),
    );
    await expect(readLayout(file(Buffer.from(text, 'utf16le')))).rejects.toThrow(/UTF-16 text without a byte-order mark/);
    await expect(readLayout(file(''))).rejects.toThrow(new CsvLayoutError('the file is empty'));
  });
});

describe('layout and records of a file', () => {
  it('decodes each encoding to the same columns and values', async () => {
    const text = 'Acc num;Patient;Height (cm);Weight\r\nA1;Zoë;170;80,6\r\nA2;Jürgen;165;72\r\n';
    const variants: [string, Buffer][] = [
      ['UTF-8', Buffer.from(text)],
      ['UTF-8 with byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
      ['UTF-16 little-endian (byte-order mark)', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
      ['Latin-1 (not valid UTF-8)', Buffer.from(text, 'latin1')],
    ];
    for (const [label, bytes] of variants) {
      const path = file(bytes);
      const layout = await readLayout(path);
      expect(layout.encoding.label).toBe(label);
      expect(layout.delimiter).toBe(';');
      expect(layout.columns).toEqual(['Acc num', 'Patient', 'Height (cm)', 'Weight']);
      expect(layout.preview.map((r) => r.fields)).toEqual([
        ['A1', 'Zoë', '170', '80,6'],
        ['A2', 'Jürgen', '165', '72'],
      ]);
      const batches = [];
      for await (const b of readRecords(path, layout, 1)) batches.push(b);
      expect(batches.map((b) => b.records)).toEqual([[{ row: 2, fields: ['A1', 'Zoë', '170', '80,6'] }], [{ row: 3, fields: ['A2', 'Jürgen', '165', '72'] }]]);
      expect(batches.at(-1)!.bytesRead).toBe(bytes.length);
    }
  });

  it('skips Excel’s sep= line and blank rows, numbering rows as a spreadsheet does', async () => {
    const path = file('sep=;\nAcc;h\n\nA1;170\n;\nA2;180\n');
    const layout = await readLayout(path);
    expect(layout.delimiter).toBe(';');
    expect(layout.columns).toEqual(['Acc', 'h']);
    const records: CsvRecord[] = [];
    for await (const b of readRecords(path, layout, 100)) records.push(...b.records);
    expect(records).toEqual([
      { row: 3, fields: ['A1', '170'] },
      { row: 5, fields: ['A2', '180'] },
    ]);
  });

  it('passes over a few title lines closed by a blank line, but never a header followed by a blank line', async () => {
    expect(titleLines(['Sizes for March', 'from the RIS', '', 'Acc,h,w', 'A1,170,80'])).toBe(3);
    expect(titleLines(['OpenREM 1.0,"CT export (CSV)",by me', 'Filters,none', '""', 'Acc,Height (m),Mass (kg),Study date', 'A1,1.7,80,2020-01-01'])).toBe(3);
    expect(titleLines(['Acc,h,w', '', 'A1,170,80'])).toBe(0);
    expect(titleLines(['Acc,h,w', 'A1,170,80', ',,', 'A2,180,90'])).toBe(0);
    expect(titleLines(['', 'Acc,h,w', 'A1,170,80'])).toBe(0);
    expect(titleLines(['t1', 't2', 't3', 't4', 't5', 't6', '', 'Acc,h,w'])).toBe(0);

    const path = file('sep=;\nSizes for March\n\nAcc;h\nA1;170\n\nA2;180\n');
    const layout = await readLayout(path);
    expect(layout).toMatchObject({ delimiter: ';', titleRows: 2, columns: ['Acc', 'h'] });
    expect(layout.preview.map((r) => r.fields)).toEqual([['A1', '170'], ['A2', '180']]);
    const records: CsvRecord[] = [];
    for await (const b of readRecords(path, layout, 100)) records.push(...b.records);
    expect(records).toEqual([
      { row: 4, fields: ['A1', '170'] },
      { row: 6, fields: ['A2', '180'] },
    ]);
    expect(await checkRecords(path, layout)).toBe(2);
  });

  it('finds a quote never closed anywhere in the file before anything is imported, naming its line', async () => {
    const message = (line: number, value: string) =>
      `line ${line}: the quote (") that opens the value "${value}" is never closed, so the file ends inside that value; add the closing quote or remove the opening one`;
    // A small file: its columns and the rows before the quote are read, the check refuses it.
    const small = file('Acc;h;w\nA1;170;80\n"A2;165;70\nA3;180;90\n');
    const layout = await readLayout(small);
    expect(layout.columns).toEqual(['Acc', 'h', 'w']);
    expect(layout.preview.map((r) => r.fields)).toEqual([['A1', '170', '80']]);
    await expect(checkRecords(small, layout)).rejects.toThrow(new CsvLayoutError(message(3, 'A2;165;70…')));
    // Far into a file larger than what is read for its layout, after Excel's sep= line.
    const rows = Array.from({ length: 5000 }, (_, i) => `B${i};170;80`);
    const large = file(['sep=;', 'Acc;h;w', ...rows, 'C1;"1,7;80', ...rows].join('\r\n') + '\r\n');
    const largeLayout = await readLayout(large);
    expect(largeLayout.preview).toHaveLength(5);
    await expect(checkRecords(large, largeLayout)).rejects.toThrow(new CsvLayoutError(message(5003, '1,7;80…')));
    // A sound file: its data rows.
    const sound = file(['Acc;h;w', ...rows, ''].join('\n'));
    expect(await checkRecords(sound, await readLayout(sound))).toBe(5000);
    // In the header: nothing can be read.
    await expect(readLayout(file('Acc;"h;w\nA1;170;80\n'))).rejects.toThrow(new CsvLayoutError(message(1, 'h;w…')));
  });

  it('refuses a file without a usable header, naming what it found', async () => {
    await expect(readLayout(file('just one column\n1\n'))).rejects.toThrow(
      new CsvLayoutError('only one column was found ("just one column"): the file needs a header row naming its columns, separated by commas, semicolons or tabs'),
    );
    await expect(readLayout(file('Acc,height,Acc\nA,1,B\n'))).rejects.toThrow(
      new CsvLayoutError('two columns have the same name, "Acc" (columns 1 and 3): rename one so they can be told apart'),
    );
    await expect(readLayout(file('\n\nA,1\n'))).rejects.toThrow(new CsvLayoutError('the first row is empty: the file needs a header row naming its columns'));
  });

  it('finds columns by name, then regardless of case, and names the missing ones with the columns found', () => {
    const columns = ['Acc num', 'height', 'weight', 'file', 'Existing h', 'existing w'];
    expect(findColumn(columns, 'height')).toBe(1);
    expect(findColumn(columns, ' HEIGHT ')).toBe(1);
    expect(findColumn(['h', 'H'], 'h')).toBe(0);
    expect(findColumn(['x', 'X'], 'h')).toBeNull();
    expect(missingColumns(columns, [{ role: 'accession number', name: 'Acc no.' }, { role: 'height', name: 'height' }, { role: 'weight', name: 'mass' }])).toBe(
      'the file has no accession number column "Acc no.", weight column "mass"; its columns are "Acc num", "height", "weight", "file", "Existing h", "existing w"',
    );
    expect(guessMapping(columns)).toEqual({ idColumn: 'Acc num', idKind: 'accession', heightColumn: 'height', weightColumn: 'weight' });
    expect(guessMapping(['Study Instance UID', 'Ht', 'Wt'])).toEqual({ idColumn: 'Study Instance UID', idKind: 'study-uid', heightColumn: 'Ht', weightColumn: 'Wt' });
    expect(
      mappingProblems(columns, { idColumn: 'Acc num', idKind: 'accession', heightColumn: 'height', weightColumn: 'HEIGHT', heightUnit: 'auto', overwrite: false }),
    ).toEqual({ weightColumn: 'column "height" is already chosen for another value' });
  });
});

describe('height and weight values', () => {
  it('reads heights in centimetres or metres by the value, the import, the column name, or the value itself', () => {
    expect(parseHeight('170', null)).toEqual({ ok: true, value: 1.7 });
    expect(parseHeight('1.70', null)).toEqual({ ok: true, value: 1.7 });
    expect(parseHeight('1,65', null)).toEqual({ ok: true, value: 1.65 });
    expect(parseHeight('52.5', null)).toEqual({ ok: true, value: 0.525 });
    expect(parseHeight('172 cm', 'm')).toEqual({ ok: true, value: 1.72 });
    expect(parseHeight('1.72m', 'cm')).toEqual({ ok: true, value: 1.72 });
    const accepted = '(accepted: 0.2 to 2.75 m or 20 to 275 cm)';
    expect(parseHeight('2', 'cm')).toEqual({ ok: false, problem: `height "2" read as centimetres is 0.02 m, not a plausible patient height ${accepted}` });
    expect(parseHeight('170', 'm')).toEqual({ ok: false, problem: `height "170" read as metres is 170 m, not a plausible patient height ${accepted}` });
    expect(parseHeight('300 cm', null)).toEqual({ ok: false, problem: `height "300 cm" is 3 m, not a plausible patient height ${accepted}` });
    expect(parseHeight('', null)).toEqual({ ok: true, value: null });
    expect(parseHeight(' 0 ', null)).toEqual({ ok: true, value: null, zero: true });
    expect(parseHeight('0,0 cm', null)).toEqual({ ok: true, value: null, zero: true });
    expect(parseHeight('tall', null)).toEqual({ ok: false, problem: 'height "tall" is not a number' });
    expect(parseHeight('170 kg', null)).toEqual({ ok: false, problem: 'height "170 kg" is not in centimetres or metres' });
    expect(parseHeight('-5', null)).toEqual({ ok: false, problem: `height "-5" is negative, not a plausible patient height ${accepted}` });
    expect(parseHeight('-170', 'cm')).toEqual({ ok: false, problem: `height "-170" is negative, not a plausible patient height ${accepted}` });
    expect(unitFromColumnName('Height (cm)')).toBe('cm');
    expect(unitFromColumnName('height_m')).toBe('m');
    expect(unitFromColumnName('Height [metres]')).toBe('m');
    expect(unitFromColumnName('height')).toBeNull();
    expect(unitFromColumnName('m')).toBeNull();
  });

  it('reads weights in kilograms', () => {
    expect(parseWeight('80.6')).toEqual({ ok: true, value: 80.6 });
    expect(parseWeight('80,6 kg')).toEqual({ ok: true, value: 80.6 });
    expect(parseWeight('')).toEqual({ ok: true, value: null });
    expect(parseWeight('0')).toEqual({ ok: true, value: null, zero: true });
    expect(parseWeight('n/a')).toEqual({ ok: false, problem: 'weight "n/a" is not a number' });
    expect(parseWeight('180 lb')).toEqual({ ok: false, problem: 'weight "180 lb" is not in kilograms, the only unit accepted' });
    expect(parseWeight('-5')).toEqual({ ok: false, problem: 'weight "-5" is negative, not a plausible patient weight (accepted: 0.2 to 650 kg)' });
    expect(parseWeight('80600')).toEqual({ ok: false, problem: 'weight "80600" is not a plausible patient weight (accepted: 0.2 to 650 kg)' });
    expect(parseWeight('0.1')).toEqual({ ok: false, problem: 'weight "0.1" is not a plausible patient weight (accepted: 0.2 to 650 kg)' });
  });
});
