// Shared by the export tests: reading export files back (a CSV parser, exceljs' reader),
// running export tasks in a worker of this process, and fluoroscopy test data.
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Db } from '../../src/db/connect.js';
import type { TaskRow } from '../../src/db/schema.js';
import { EXPORT_KINDS } from '../../src/export/kinds.js';
import { TaskRegistry, TaskWorker, enqueueTask, type Actor, type TaskKind } from '../../src/tasks/index.js';
import { quietLog, waitForState } from '../tasks/helpers.js';

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF), without a leading byte-order mark. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface CsvExport {
  /** The lines before the table: product and title, the filter, a blank line. */
  preamble: string[][];
  header: string[];
  rows: string[][];
  /** The value of a row's column by its header. */
  cell(row: string[], header: string): string;
}

export const PREAMBLE_LINES = 3;

export function readCsvExport(path: string): CsvExport {
  const text = readFileSync(path, 'utf8');
  const all = parseCsv(text);
  const header = all[PREAMBLE_LINES]!;
  return {
    preamble: all.slice(0, PREAMBLE_LINES),
    header,
    rows: all.slice(PREAMBLE_LINES + 1),
    cell(row, name) {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`no column "${name}"; columns are: ${header.join(' | ')}`);
      return row[i] ?? '';
    },
  };
}

export interface Sheet {
  name: string;
  /** Rows of cell values; the first is the header. */
  rows: (string | number | null)[][];
}

function cellValue(v: ExcelJS.CellValue): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  return String(v as unknown as string);
}

export async function readXlsx(path: string): Promise<Sheet[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  return book.worksheets.map((ws) => {
    const rows: (string | number | null)[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const values = row.values as ExcelJS.CellValue[];
      rows[n - 1] = Array.from(values.slice(1), cellValue);
    });
    return { name: ws.name, rows: Array.from(rows, (r) => r ?? []) };
  });
}

/** A column's value in a sheet row, by header. */
export function sheetCell(sheet: Sheet, row: number, header: string): string | number | null {
  const i = sheet.rows[0]!.indexOf(header);
  if (i < 0) throw new Error(`sheet ${sheet.name} has no column "${header}"; columns are: ${sheet.rows[0]!.join(' | ')}`);
  return sheet.rows[row]![i] ?? null;
}

export const exportRegistry = (): TaskRegistry => new TaskRegistry([...EXPORT_KINDS]);

/** Queues an export and runs it in a worker of this process; returns the finished task. */
export async function runExport<P>(db: Db, dataDir: string, kind: TaskKind<P, unknown>, params: P, by: Actor): Promise<TaskRow> {
  const worker = new TaskWorker({ db, dataDir, kinds: exportRegistry(), log: quietLog, pollMs: 50 });
  await worker.start();
  try {
    const task = await enqueueTask(db, kind, params, { startedBy: by });
    const row = await waitForState(db, task.id, ['done', 'failed', 'aborted'], 60_000);
    if (row.state !== 'done') throw new Error(`export task ${task.id} ${row.state}: ${row.reason}`);
    return row;
  } finally {
    await worker.stop();
  }
}
