// CSV text to records, as it streams in (RFC 4180: quoted values may hold delimiters, quotes
// written twice and line breaks; lines end in CRLF, LF or CR). Lenient where spreadsheets are
// sloppy (a quote inside an unquoted value is kept as text), strict where leniency would eat
// the file: an opening quote without its closing one stops the parse, at the end of the file
// or once the value is longer than MAX_FIELD_CHARS, naming the line the quote is on (a
// record's row number no longer says where that is, as the quote swallows the lines after).

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

export function isDelimiter(text: string): text is Delimiter {
  return (DELIMITERS as readonly string[]).includes(text);
}

export interface CsvRecord {
  /** 1-based, as a spreadsheet numbers rows (blank lines count). */
  row: number;
  fields: string[];
}

export class CsvError extends Error {}

export const MAX_FIELD_CHARS = 1 << 20;

/** Characters of an unclosed value quoted in the error, enough to find it in the file. */
const EXCERPT_CHARS = 40;

/** Line breaks in a value (CRLF, LF or CR each count once). */
function lineBreaks(text: string): number {
  if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) return 0;
  return text.match(/\r\n|\r|\n/g)!.length;
}

function excerpt(value: string): string {
  const firstLine = value.split(/\r\n|\r|\n/, 1)[0]!;
  return firstLine.length > EXCERPT_CHARS || firstLine.length < value.length ? `${firstLine.slice(0, EXCERPT_CHARS)}…` : firstLine;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted value: its end, or the first of two. */
  QuoteInQuoted,
}

export class CsvParser {
  readonly #delimiter: number;
  #state = State.FieldStart;
  #field = '';
  #fields: string[] = [];
  /** The record has begun (a blank line is a record of one empty value). */
  #open = false;
  #skipLf = false;
  #row = 0;
  /** The line of the file (1-based, as a text editor numbers them) the current record starts on. */
  #recordLine = 1;
  /** Line breaks inside the current record's quoted values so far. */
  #breaksInRecord = 0;
  /** The line the current quoted value opens on. */
  #quoteLine = 0;

  constructor(delimiter: Delimiter) {
    this.#delimiter = delimiter.charCodeAt(0);
  }

  /** Parses the next piece of text; completed records are appended to `out`. */
  push(text: string, out: CsvRecord[]): void {
    const d = this.#delimiter;
    let start = 0;
    let i = 0;
    if (this.#skipLf && text.length > 0) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === LF) i = start = 1;
    }
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (this.#state) {
        case State.FieldStart:
          this.#open = true;
          if (c === QUOTE) {
            this.#state = State.Quoted;
            this.#quoteLine = this.#recordLine + this.#breaksInRecord;
            start = i + 1;
            break;
          }
          this.#state = State.Unquoted;
          start = i;
          // The character is the value's first: read it again as such.
          i--;
          break;
        case State.Unquoted:
          if (c === d) {
            this.#endField(text, start, i);
            start = i + 1;
          } else if (c === LF || c === CR) {
            this.#endField(text, start, i);
            this.#endRecord(out);
            if (c === CR) i = this.#afterCr(text, i);
            start = i + 1;
          }
          break;
        case State.Quoted:
          if (c === QUOTE) {
            this.#append(text, start, i);
            this.#state = State.QuoteInQuoted;
          }
          break;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.#field += '"';
            this.#state = State.Quoted;
            start = i + 1;
          } else if (c === d) {
            this.#finishQuotedField();
            start = i + 1;
          } else if (c === LF || c === CR) {
            this.#finishQuotedField();
            this.#endRecord(out);
            if (c === CR) i = this.#afterCr(text, i);
            start = i + 1;
          } else {
            // Text after a closing quote: kept, as spreadsheets do.
            this.#breaksInRecord += lineBreaks(this.#field);
            this.#state = State.Unquoted;
            start = i;
          }
          break;
      }
    }
    if (this.#state === State.Unquoted || this.#state === State.Quoted) this.#append(text, start, text.length);
  }

  /** The end of the text: completes a last record without a line break. */
  end(out: CsvRecord[]): void {
    if (this.#state === State.Quoted) throw this.#unclosed('is never closed, so the file ends inside that value');
    if (this.#open) {
      if (this.#state === State.QuoteInQuoted) this.#finishQuotedField();
      else this.#finishField();
      this.#endRecord(out);
    }
  }

  #unclosed(problem: string): CsvError {
    return new CsvError(
      `line ${this.#quoteLine}: the quote (") that opens the value "${excerpt(this.#field)}" ${problem}; add the closing quote or remove the opening one`,
    );
  }

  #append(text: string, from: number, to: number): void {
    if (to <= from) return;
    this.#field += text.slice(from, to);
    if (this.#field.length > MAX_FIELD_CHARS) {
      if (this.#state === State.Quoted) throw this.#unclosed(`is not closed within ${MAX_FIELD_CHARS.toLocaleString('en')} characters, so it is probably never closed`);
      throw new CsvError(`line ${this.#recordLine + this.#breaksInRecord}: a value is longer than ${MAX_FIELD_CHARS.toLocaleString('en')} characters, which no patient size table has`);
    }
  }

  #endField(text: string, from: number, to: number): void {
    this.#append(text, from, to);
    this.#finishField();
  }

  #finishField(): void {
    this.#fields.push(this.#field);
    this.#field = '';
    this.#state = State.FieldStart;
  }

  #finishQuotedField(): void {
    this.#breaksInRecord += lineBreaks(this.#field);
    this.#finishField();
  }

  /** Index of the last character of a line break that starts with CR at `i` (CR LF counts as one break, even split across chunks). */
  #afterCr(text: string, i: number): number {
    if (i + 1 >= text.length) {
      this.#skipLf = true;
      return i;
    }
    return text.charCodeAt(i + 1) === LF ? i + 1 : i;
  }

  #endRecord(out: CsvRecord[]): void {
    this.#row++;
    out.push({ row: this.#row, fields: this.#fields });
    this.#fields = [];
    this.#open = false;
    this.#state = State.FieldStart;
    this.#recordLine += 1 + this.#breaksInRecord;
    this.#breaksInRecord = 0;
  }
}

/** Parses a whole text at once (small files, tests). */
export function parseCsv(text: string, delimiter: Delimiter): CsvRecord[] {
  const parser = new CsvParser(delimiter);
  const out: CsvRecord[] = [];
  parser.push(text, out);
  parser.end(out);
  return out;
}

/** A record with nothing in it (a blank line, or only delimiters and spaces). */
export function isBlank(record: CsvRecord): boolean {
  return record.fields.every((f) => f.trim() === '');
}

/** Occurrences of `delimiter` outside quotes in one line of text. */
function countOutsideQuotes(line: string, delimiter: Delimiter): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) n++;
  }
  return n;
}

/**
 * The delimiter of a file from its first lines: among those the header contains, the one that
 * splits the most following lines into as many values as the header (ties: the one giving
 * more columns). Null when the header contains none (a single column).
 */
export function detectDelimiter(lines: readonly string[]): Delimiter | null {
  const [header, ...rest] = lines;
  if (header === undefined) return null;
  const data = rest.filter((l) => l.trim() !== '');
  let best: { d: Delimiter; score: number; columns: number } | null = null;
  for (const d of DELIMITERS) {
    const columns = countOutsideQuotes(header, d);
    if (columns === 0) continue;
    const score = data.filter((l) => countOutsideQuotes(l, d) === columns).length;
    if (!best || score > best.score || (score === best.score && columns > best.columns)) best = { d, score, columns };
  }
  return best?.d ?? null;
}

/** Excel's "sep=;" first line, which names the delimiter and is not part of the table. */
export function separatorLine(line: string): Delimiter | null {
  const m = /^"?sep=(.)"?\s*$/i.exec(line);
  return m && isDelimiter(m[1]!) ? m[1] : null;
}

/** The most lines a title block before the header may have. */
const MAX_TITLE_LINES = 5;

function blankLine(line: string): boolean {
  for (const ch of line) if (ch !== ' ' && ch !== '\t' && ch !== ',' && ch !== ';' && ch !== '"') return false;
  return true;
}

/**
 * Lines before the table (such as a report's title, or this product's own export preamble of
 * version and filters): a few lines closed by a blank line, each with fewer values than the
 * line after the blank, which is then the header. The number of lines to pass over, blank
 * included; 0 when the first line is the header.
 */
export function titleLines(lines: readonly string[]): number {
  const blank = lines.findIndex(blankLine);
  if (blank < 1 || blank > MAX_TITLE_LINES) return 0;
  const table = lines.slice(blank + 1);
  const d = detectDelimiter(table);
  if (!d) return 0;
  const width = countOutsideQuotes(table[0]!, d);
  return lines.slice(0, blank).every((l) => countOutsideQuotes(l, d) < width) ? blank + 1 : 0;
}
