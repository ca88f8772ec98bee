// Opening a patient size CSV: what it is (encoding, delimiter, columns, a first look at its
// rows), a check of the whole file before anything is imported from it, and its records as
// they stream from disk, so a file of any length is read in constant memory.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvError, CsvParser, detectDelimiter, isBlank, separatorLine, titleLines, type CsvRecord, type Delimiter } from './csv.js';
import { detectEncoding, NotTextError, type DetectedEncoding } from './encoding.js';

/** What the import knows of a file before reading it through. */
export interface CsvLayout {
  encoding: DetectedEncoding;
  delimiter: Delimiter;
  /** Records of a title block before the header (after any "sep=" line), passed over. */
  titleRows: number;
  /** Header names, trimmed. */
  columns: string[];
  /** The first rows after the header, for choosing columns. */
  preview: CsvRecord[];
  bytes: number;
}

/** The file cannot be used as it is; the message says why, for the user. */
export class CsvLayoutError extends Error {}

const SNIFF_BYTES = 1 << 16;
const SNIFF_LINES = 20;
const PREVIEW_ROWS = 5;
const READ_CHUNK = 1 << 16;
const CHECK_BATCH_ROWS = 500;

async function* decodedText(path: string, encoding: DetectedEncoding, start = 0, end?: number): AsyncGenerator<{ text: string; bytes: number }> {
  const decoder = new TextDecoder(encoding.name);
  const stream = createReadStream(path, { start: encoding.bom + start, ...(end === undefined ? {} : { end }), highWaterMark: READ_CHUNK });
  let bytes = encoding.bom + start;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    yield { text: decoder.decode(chunk, { stream: true }), bytes };
  }
  yield { text: decoder.decode(), bytes };
}

/** The first lines of the file as text (a partial last line is dropped unless the file ends), and whether they are all of it. */
async function firstLines(path: string, encoding: DetectedEncoding, size: number): Promise<{ lines: string[]; whole: boolean }> {
  let text = '';
  for await (const piece of decodedText(path, encoding, 0, Math.min(size, encoding.bom + SNIFF_BYTES) - 1)) text += piece.text;
  const lines = text.split(/\r\n|\n|\r/);
  const cut = size > encoding.bom + SNIFF_BYTES;
  if (cut) lines.pop();
  return { lines: lines.slice(0, SNIFF_LINES + 1), whole: !cut && lines.length <= SNIFF_LINES + 1 };
}

function describeColumns(columns: readonly string[]): string {
  return columns.map((c) => `"${c}"`).join(', ');
}

/** Reads what the file is; throws CsvLayoutError when it cannot be a table of patient sizes. */
export async function readLayout(path: string): Promise<CsvLayout> {
  const { size } = await stat(path);
  if (size === 0) throw new CsvLayoutError('the file is empty');
  let encoding: DetectedEncoding;
  try {
    encoding = await detectEncoding(path);
  } catch (err) {
    if (err instanceof NotTextError) throw new CsvLayoutError(err.message);
    throw err;
  }
  if (size <= encoding.bom) throw new CsvLayoutError('the file is empty');
  const first = await firstLines(path, encoding, size);
  let lines = first.lines;
  const named = lines[0] === undefined ? null : separatorLine(lines[0]);
  if (named) lines = lines.slice(1);
  const title = titleLines(lines);
  lines = lines.slice(title);
  const delimiter = named ?? detectDelimiter(lines);
  if (!delimiter) {
    const header = (lines[0] ?? '').trim();
    throw new CsvLayoutError(
      header
        ? `only one column was found ("${header.slice(0, 80)}"): the file needs a header row naming its columns, separated by commas, semicolons or tabs`
        : 'the first row is empty: the file needs a header row naming its columns',
    );
  }
  // The records complete within the lines read (a quote left open further on is for
  // checkRecords to report); the separator line is parsed too, so errors name the file's lines.
  const records: CsvRecord[] = [];
  const parser = new CsvParser(delimiter);
  parser.push(first.lines.join('\n'), records);
  let unclosed: CsvError | null = null;
  if (first.whole) {
    try {
      parser.end(records);
    } catch (err) {
      if (!(err instanceof CsvError)) throw err;
      unclosed = err;
    }
  }
  if (named) records.shift();
  // Title lines hold no quoted line breaks (each has fewer values than the header), so each is one record.
  records.splice(0, title);
  if (records.length === 0) {
    throw new CsvLayoutError(unclosed?.message ?? `a quote (") in the header row is not closed within the first ${first.lines.length} lines; add the closing quote or remove the opening one`);
  }
  const [header, ...rest] = records;
  const columns = (header?.fields ?? []).map((c) => c.trim());
  if (columns.every((c) => c === '')) throw new CsvLayoutError('the first row is empty: the file needs a header row naming its columns');
  const seen = new Map<string, number>();
  for (const [i, c] of columns.entries()) {
    if (c === '') continue;
    const before = seen.get(c);
    if (before !== undefined) throw new CsvLayoutError(`two columns have the same name, "${c}" (columns ${before + 1} and ${i + 1}): rename one so they can be told apart`);
    seen.set(c, i);
  }
  return { encoding, delimiter, titleRows: title, columns, preview: rest.filter((r) => !isBlank(r)).slice(0, PREVIEW_ROWS), bytes: size };
}

/**
 * Reads the whole file through as the import will, before anything is imported from it: a
 * quote never closed (which would swallow the rows after it) is reported with its line, and
 * nothing is changed. The number of data rows when the file is sound.
 */
export async function checkRecords(path: string, layout: Pick<CsvLayout, 'encoding' | 'delimiter' | 'titleRows'>, signal?: AbortSignal): Promise<number> {
  let rows = 0;
  try {
    for await (const batch of readRecords(path, layout, CHECK_BATCH_ROWS)) {
      signal?.throwIfAborted();
      rows += batch.records.length;
    }
  } catch (err) {
    if (err instanceof CsvError) throw new CsvLayoutError(err.message);
    throw err;
  }
  return rows;
}

/** Where a named column is: exactly as named, else the one whose name differs only in case. */
export function findColumn(columns: readonly string[], name: string): number | null {
  const wanted = name.trim();
  const exact = columns.indexOf(wanted);
  if (exact >= 0) return exact;
  const folded = columns.flatMap((c, i) => (c.toLowerCase() === wanted.toLowerCase() ? [i] : []));
  return folded.length === 1 ? folded[0]! : null;
}

/** "no column X; the columns are ..." for each name not found. */
export function missingColumns(columns: readonly string[], wanted: readonly { role: string; name: string }[]): string | null {
  const missing = wanted.filter((w) => findColumn(columns, w.name) === null);
  if (!missing.length) return null;
  const what = missing.map((m) => `${m.role} column "${m.name}"`).join(', ');
  return `the file has no ${what}; its columns are ${describeColumns(columns)}`;
}

export interface RecordBatch {
  records: CsvRecord[];
  /** Bytes of the file read so far (for progress). */
  bytesRead: number;
}

/**
 * The data records after the header, in batches of at most `batchSize`, decoded and parsed as
 * they are read. Blank records are left out (their rows still count).
 */
export async function* readRecords(path: string, layout: Pick<CsvLayout, 'encoding' | 'delimiter' | 'titleRows'>, batchSize: number): AsyncGenerator<RecordBatch> {
  const parser = new CsvParser(layout.delimiter);
  let pending: CsvRecord[] = [];
  let header = false;
  let titleLeft = layout.titleRows;
  let sepLineChecked = false;
  let rowOffset = 0;
  const take = (records: CsvRecord[]): void => {
    for (const r of records) {
      if (!sepLineChecked) {
        sepLineChecked = true;
        // Spreadsheets hide this line: the header is their row 1.
        if (separatorLine(r.fields.join(layout.delimiter))) {
          rowOffset = -1;
          continue;
        }
      }
      if (titleLeft > 0) {
        titleLeft--;
        continue;
      }
      if (!header) {
        header = true;
        continue;
      }
      if (!isBlank(r)) pending.push(rowOffset ? { row: r.row + rowOffset, fields: r.fields } : r);
    }
  };
  let bytesRead = 0;
  const out: CsvRecord[] = [];
  for await (const piece of decodedText(path, layout.encoding)) {
    bytesRead = piece.bytes;
    out.length = 0;
    parser.push(piece.text, out);
    take(out);
    while (pending.length >= batchSize) {
      yield { records: pending.slice(0, batchSize), bytesRead };
      pending = pending.slice(batchSize);
    }
  }
  out.length = 0;
  parser.end(out);
  take(out);
  while (pending.length) {
    yield { records: pending.slice(0, batchSize), bytesRead };
    pending = pending.slice(batchSize);
  }
}
