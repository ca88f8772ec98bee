// Patient size imports as stored: the import (file, column choices, state, counts) and its log.
import type { Kysely } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database, SizeImportLogRow, SizeImportOutcome, SizeImportRow, SizeImportState } from '../db/schema.js';
import { getTask, type Actor } from '../tasks/index.js';
import type { Delimiter } from './csv.js';
import type { IdKind, SizeMapping } from './mapping.js';
import type { CsvLayout } from './read-csv.js';
import type { HeightUnitChoice } from './values.js';

export type { SizeImportOutcome, SizeImportState };

export const SOURCE_WEB = 'web';
export const SOURCE_COMMAND_LINE = 'command line';

export const OUTCOMES: readonly SizeImportOutcome[] = ['updated', 'skipped', 'not-found', 'invalid'];

export interface SizeImportCounts {
  /** Data rows read (blank rows not counted). */
  rows: number;
  studiesUpdated: number;
  /** Studies found whose values were kept, and rows with nothing to import. */
  skipped: number;
  rowsNotFound: number;
  /** Rows not used because a value was not a number or not plausible, or the identifier was missing. */
  rowsInvalid: number;
}

export const NO_COUNTS: SizeImportCounts = { rows: 0, studiesUpdated: 0, skipped: 0, rowsNotFound: 0, rowsInvalid: 0 };

export interface SizeImport {
  id: number;
  createdAt: string;
  startedBy: Actor;
  source: string;
  fileName: string;
  /** Relative to the data folder, while an uploaded file waits to be imported. */
  uploadPath: string | null;
  fileBytes: number;
  encoding: string;
  delimiter: Delimiter;
  columns: string[];
  /** Null until columns are chosen. */
  mapping: SizeMapping | null;
  taskId: number | null;
  state: SizeImportState;
  counts: SizeImportCounts;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface LogEntry {
  row: number | null;
  outcome: SizeImportOutcome;
  identifier: string | null;
  studyId: number | null;
  message: string;
}

export const FINAL_IMPORT_STATES: readonly SizeImportState[] = ['done', 'failed', 'aborted'];

/**
 * Whether an import may be deleted: not while its task may still run. A command-line import
 * has no task to abort; one still marked running is deletable, as its command may have been
 * killed without a chance to say so (a command still running then stops with an error).
 */
export function mayDelete(imp: Pick<SizeImport, 'state' | 'taskId'>): boolean {
  return (imp.state !== 'queued' && imp.state !== 'running') || imp.taskId === null;
}

function toImport(row: SizeImportRow): SizeImport {
  const mapping: SizeMapping | null =
    row.id_column === null
      ? null
      : {
          idColumn: row.id_column,
          idKind: (row.id_kind ?? 'accession') as IdKind,
          heightColumn: row.height_column,
          weightColumn: row.weight_column,
          heightUnit: (row.height_unit ?? 'auto') as HeightUnitChoice,
          overwrite: row.overwrite === 1,
        };
  return {
    id: row.id,
    createdAt: row.created_at,
    startedBy: { id: row.started_by_id, name: row.started_by },
    source: row.source,
    fileName: row.file_name,
    uploadPath: row.upload_path,
    fileBytes: row.file_bytes,
    encoding: row.encoding,
    delimiter: row.delimiter as Delimiter,
    columns: JSON.parse(row.columns) as string[],
    mapping,
    taskId: row.task_id,
    state: row.state,
    counts: { rows: row.rows_read, studiesUpdated: row.studies_updated, skipped: row.studies_skipped, rowsNotFound: row.rows_not_found, rowsInvalid: row.rows_invalid },
    reason: row.reason,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toLogEntry(row: SizeImportLogRow): LogEntry {
  return { row: row.row_number, outcome: row.outcome, identifier: row.identifier, studyId: row.study_id, message: row.message };
}

function mappingColumns(m: SizeMapping) {
  return {
    id_column: m.idColumn,
    id_kind: m.idKind,
    height_column: m.heightColumn,
    weight_column: m.weightColumn,
    height_unit: m.heightUnit,
    overwrite: m.overwrite ? 1 : 0,
  };
}

export interface NewSizeImport {
  source: string;
  fileName: string;
  uploadPath: string | null;
  layout: CsvLayout;
  startedBy: Actor;
  /** Given for the command line, which chooses columns up front. */
  mapping?: SizeMapping;
  state: SizeImportState;
}

export async function createSizeImport(db: Db, n: NewSizeImport): Promise<SizeImport> {
  const now = new Date().toISOString();
  const row = await db.kysely
    .insertInto('size_import')
    .values({
      created_at: now,
      started_by_id: n.startedBy.id,
      started_by: n.startedBy.name,
      source: n.source,
      file_name: n.fileName,
      upload_path: n.uploadPath,
      file_bytes: n.layout.bytes,
      encoding: n.layout.encoding.label,
      delimiter: n.layout.delimiter,
      columns: JSON.stringify(n.layout.columns),
      ...(n.mapping ? mappingColumns(n.mapping) : {}),
      state: n.state,
      ...(n.state === 'running' ? { started_at: now } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toImport(row);
}

export async function getSizeImport(db: Db, id: number): Promise<SizeImport | undefined> {
  const row = await db.kysely.selectFrom('size_import').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toImport(row);
}

/** Newest first. */
export async function listSizeImports(db: Db, opts: { limit: number; offset?: number }): Promise<SizeImport[]> {
  const rows = await db.kysely
    .selectFrom('size_import')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .execute();
  return rows.map(toImport);
}

export async function countSizeImports(db: Db): Promise<number> {
  const row = await db.kysely.selectFrom('size_import').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Columns chosen and the task queued: only an import still waiting for its columns moves on. */
export async function setQueued(db: Db, id: number, mapping: SizeMapping, taskId: number): Promise<boolean> {
  const r = await db.kysely
    .updateTable('size_import')
    .set({ ...mappingColumns(mapping), task_id: taskId, state: 'queued' })
    .where('id', '=', id)
    .where('state', '=', 'uploaded')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function setRunning(db: Db, id: number): Promise<void> {
  await db.kysely
    .updateTable('size_import')
    .set({ state: 'running', started_at: new Date().toISOString(), reason: null, rows_read: 0, studies_updated: 0, studies_skipped: 0, rows_not_found: 0, rows_invalid: 0 })
    .where('id', '=', id)
    .execute();
  await db.kysely.deleteFrom('size_import_log').where('import_id', '=', id).execute();
}

export async function finishSizeImport(db: Db, id: number, state: Extract<SizeImportState, 'done' | 'failed' | 'aborted'>, reason: string | null): Promise<void> {
  await db.kysely.updateTable('size_import').set({ state, reason, finished_at: new Date().toISOString() }).where('id', '=', id).execute();
}

export async function clearUploadPath(db: Db, id: number): Promise<void> {
  await db.kysely.updateTable('size_import').set({ upload_path: null }).where('id', '=', id).execute();
}

/** Within the transaction of a batch: its log lines and the counts it adds. */
export async function recordBatch(q: Kysely<Database>, id: number, entries: readonly LogEntry[], added: SizeImportCounts): Promise<void> {
  // Kept well under either engine's limit of bound parameters per statement.
  const PER_INSERT = 500;
  for (let i = 0; i < entries.length; i += PER_INSERT) {
    await q
      .insertInto('size_import_log')
      .values(
        entries.slice(i, i + PER_INSERT).map((e) => ({ import_id: id, row_number: e.row, outcome: e.outcome, identifier: e.identifier, study_id: e.studyId, message: e.message })),
      )
      .execute();
  }
  await q
    .updateTable('size_import')
    .set((eb) => ({
      rows_read: eb('rows_read', '+', added.rows),
      studies_updated: eb('studies_updated', '+', added.studiesUpdated),
      studies_skipped: eb('studies_skipped', '+', added.skipped),
      rows_not_found: eb('rows_not_found', '+', added.rowsNotFound),
      rows_invalid: eb('rows_invalid', '+', added.rowsInvalid),
    }))
    .where('id', '=', id)
    .execute();
}

export async function readLog(db: Db, id: number, opts: { outcome?: SizeImportOutcome; limit: number; offset?: number }): Promise<LogEntry[]> {
  let q = db.kysely.selectFrom('size_import_log').selectAll().where('import_id', '=', id);
  if (opts.outcome) q = q.where('outcome', '=', opts.outcome);
  const rows = await q
    .orderBy('id')
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .execute();
  return rows.map(toLogEntry);
}

/** The whole log in order, a page at a time (for downloads of any length). */
export async function* streamLog(db: Db, id: number, pageSize = 2000): AsyncGenerator<LogEntry> {
  let after = 0;
  for (;;) {
    const rows = await db.kysely.selectFrom('size_import_log').selectAll().where('import_id', '=', id).where('id', '>', after).orderBy('id').limit(pageSize).execute();
    for (const r of rows) yield toLogEntry(r);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

export async function countLog(db: Db, id: number): Promise<Record<SizeImportOutcome, number>> {
  const rows = await db.kysely
    .selectFrom('size_import_log')
    .select(['outcome', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('import_id', '=', id)
    .groupBy('outcome')
    .execute();
  const out: Record<SizeImportOutcome, number> = { updated: 0, skipped: 0, 'not-found': 0, invalid: 0 };
  for (const r of rows) out[r.outcome] = Number(r.n);
  return out;
}

export async function deleteSizeImportRow(db: Db, id: number): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    await trx.deleteFrom('size_import_log').where('import_id', '=', id).execute();
    await trx.deleteFrom('size_import').where('id', '=', id).execute();
  });
}

/**
 * An import whose task ended without it saying so (its worker died, or the task was aborted
 * before it started) takes the task's end as its own.
 */
export async function settleWithTask(db: Db, imp: SizeImport): Promise<SizeImport> {
  if (imp.taskId === null || (imp.state !== 'queued' && imp.state !== 'running')) return imp;
  const task = await getTask(db, imp.taskId);
  if (task && task.state !== 'done' && task.state !== 'failed' && task.state !== 'aborted') return imp;
  const state = task?.state === 'aborted' ? 'aborted' : 'failed';
  const reason = task?.reason ?? 'its background task is gone';
  const r = await db.kysely
    .updateTable('size_import')
    .set({ state, reason, finished_at: task?.finishedAt ?? new Date().toISOString() })
    .where('id', '=', imp.id)
    .where('state', 'in', ['queued', 'running'])
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return (await getSizeImport(db, imp.id)) ?? imp;
  return { ...imp, state, reason };
}
