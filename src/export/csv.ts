// CSV as spreadsheets read it (RFC 4180: comma separated, fields quoted when needed, CRLF line
// ends, UTF-8 with a byte-order mark so Excel shows µ, ² and names correctly), written to a
// file stream that is waited on when it is full, so memory stays flat however much is written.
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Cell } from './cells.js';

const BOM = '\uFEFF';
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
/** Text a spreadsheet would run as a formula; such a field gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

export class CsvFile {
  readonly #stream: WriteStream;
  readonly #signal: AbortSignal;
  #failure: Error | null = null;

  private constructor(stream: WriteStream, signal: AbortSignal) {
    this.#stream = stream;
    this.#signal = signal;
    stream.on('error', (err) => (this.#failure = err));
  }

  static async create(path: string, signal: AbortSignal): Promise<CsvFile> {
    const stream = createWriteStream(path);
    await once(stream, 'open');
    const file = new CsvFile(stream, signal);
    await file.#write(BOM);
    return file;
  }

  async #write(text: string): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (!this.#stream.write(text)) await once(this.#stream, 'drain', { signal: this.#signal });
  }

  row(cells: readonly Cell[]): Promise<void> {
    return this.#write(csvLine(cells));
  }

  async close(): Promise<void> {
    if (this.#failure) throw this.#failure;
    this.#stream.end();
    await once(this.#stream, 'close');
    if (this.#failure) throw this.#failure;
  }

  /** Closes without finishing (the task is being abandoned; the caller removes the file). */
  destroy(): void {
    this.#stream.destroy();
  }
}
