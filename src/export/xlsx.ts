// XLSX written as it goes: exceljs' streaming workbook writer without shared strings, one
// sheet at a time, each row committed as soon as it is written, and the writer waited on
// whenever the zip behind it falls behind, so memory stays flat however big the workbook.
import { once, type EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { Cell } from './cells.js';
import type { SheetNames } from './sheet-names.js';

/** Rows of a worksheet, the header included; a longer table continues on a sheet of its own. */
export const MAX_SHEET_ROWS = 1_048_576;
/** Columns of a worksheet. */
export const MAX_SHEET_COLUMNS = 16_384;
/** Rows written between checks of the zip's intake. */
const SETTLE_EVERY = 100;

/**
 * exceljs hands a sheet's XML to the zip through an intake stream without heeding its
 * back-pressure. Written faster than the zip compresses (SQLite answers without yielding to
 * the event loop), the XML would pile up in memory, so the writer waits for the intake to
 * drain. These are the parts of exceljs' worksheet stream and of the intake (readable-stream
 * 2, which has no public `writableNeedDrain`) that this relies on.
 */
interface ZipIntake extends EventEmitter {
  _writableState?: { needDrain?: boolean; ending?: boolean; finished?: boolean };
}
interface SheetStream {
  pipes?: ZipIntake[];
}

function intakesOf(sheet: ExcelJS.Worksheet): ZipIntake[] {
  return (sheet as unknown as { stream?: SheetStream }).stream?.pipes ?? [];
}

/** One sheet being written: a header row, then rows, continued on further sheets when full. */
export class SheetWriter {
  #sheet: ExcelJS.Worksheet;
  #rows = 0;
  #sinceSettle = 0;
  #columns: number;

  constructor(
    private readonly file: XlsxFile,
    private readonly name: string,
    private readonly header: readonly string[],
    private readonly names: SheetNames | null,
  ) {
    this.#columns = header.length;
    this.#sheet = this.#open(name);
  }

  #open(name: string): ExcelJS.Worksheet {
    const sheet = this.file.addSheet(name);
    const row = sheet.addRow([...this.header]);
    row.font = { bold: true };
    row.commit();
    this.#rows = 1;
    return sheet;
  }

  async row(cells: readonly Cell[]): Promise<void> {
    if (this.#rows >= MAX_SHEET_ROWS) {
      if (!this.names) throw new Error(`sheet ${this.name} is full (${MAX_SHEET_ROWS} rows)`);
      await this.#close();
      this.#sheet = this.#open(this.names.take(this.name));
    }
    this.#sheet.addRow(cells.map((c) => (c === null ? undefined : c))).commit();
    this.#rows++;
    this.#columns = Math.max(this.#columns, cells.length);
    if (++this.#sinceSettle >= SETTLE_EVERY) {
      this.#sinceSettle = 0;
      await this.file.settle(this.#sheet);
    }
  }

  async #close(): Promise<void> {
    if (this.#rows > 1 && this.#columns > 0) this.#sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: this.#rows, column: this.#columns } };
    this.#sheet.commit();
    await this.file.settle(this.#sheet);
  }

  /** Finishes the sheet; the next one can start. */
  end(): Promise<void> {
    return this.#close();
  }
}

export class XlsxFile {
  readonly #book: ExcelJS.stream.xlsx.WorkbookWriter;
  readonly #signal: AbortSignal;
  readonly #out: WriteStream;

  constructor(path: string, signal: AbortSignal) {
    this.#signal = signal;
    this.#out = createWriteStream(path);
    this.#book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: this.#out, useSharedStrings: false, useStyles: true });
  }

  /**
   * A new sheet. The one before must have ended: the zip takes sheets one after another, and
   * a sheet started early would wait in memory.
   */
  sheet(name: string, header: readonly string[], names: SheetNames | null = null): SheetWriter {
    return new SheetWriter(this, name, header, names);
  }

  /** Used by SheetWriter. */
  addSheet(name: string): ExcelJS.Worksheet {
    return this.#book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  }

  /** Waits while the zip has more of this sheet than it can take; stops at once on abort. */
  async settle(sheet: ExcelJS.Worksheet): Promise<void> {
    for (const intake of intakesOf(sheet)) {
      const state = intake._writableState;
      // A committed sheet has ended its intake, which then never emits 'drain' (readable-stream
      // 2 skips it once ending): wait for the zip to have taken all of it instead.
      if (state?.ending) {
        if (!state.finished) await once(intake, 'finish', { signal: this.#signal });
      } else {
        while (state?.needDrain) await once(intake, 'drain', { signal: this.#signal });
      }
    }
    await nextTurn(undefined, { signal: this.#signal });
  }

  async commit(): Promise<void> {
    await this.#book.commit();
  }

  /** Closes the file without finishing it (the task is being abandoned; the caller removes the file). */
  destroy(): void {
    this.#out.destroy();
  }
}
