// Finished export files as the exports page sees them: one row per file, kept until the
// user deletes it (the task that wrote it may be pruned from the history long before).
import { rm } from 'node:fs/promises';
import type { Db } from '../db/connect.js';
import type { ExportFileRow } from '../db/schema.js';
import { exportFilePath, type ExportFormat } from './paths.js';

export interface ExportFile {
  id: number;
  taskId: number;
  modality: string;
  format: ExportFormat;
  includesPid: boolean;
  label: string;
  fileName: string;
  sizeBytes: number;
  studies: number;
  filters: Record<string, string>;
  startedBy: { id: number | null; name: string | null };
  createdAt: string;
  finishedAt: string;
  durationMs: number;
}

function toExportFile(r: ExportFileRow): ExportFile {
  return {
    id: r.id,
    taskId: r.task_id,
    modality: r.modality,
    format: r.format as ExportFormat,
    includesPid: r.includes_pid === 1,
    label: r.label,
    fileName: r.file_name,
    sizeBytes: Number(r.size_bytes),
    studies: r.studies,
    filters: JSON.parse(r.filters) as Record<string, string>,
    startedBy: { id: r.started_by_id, name: r.started_by },
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
  };
}

export type NewExportFile = Omit<ExportFile, 'id'>;

/** Records a finished file; a task that ran again after an interruption replaces its record. */
export async function recordExportFile(db: Db, f: NewExportFile): Promise<void> {
  const values = {
    task_id: f.taskId,
    modality: f.modality,
    format: f.format,
    includes_pid: f.includesPid ? 1 : 0,
    label: f.label,
    file_name: f.fileName,
    size_bytes: f.sizeBytes,
    studies: f.studies,
    filters: JSON.stringify(f.filters),
    started_by_id: f.startedBy.id,
    started_by: f.startedBy.name,
    created_at: f.createdAt,
    finished_at: f.finishedAt,
    duration_ms: f.durationMs,
  };
  const { task_id: _taskId, ...update } = values;
  await db.kysely
    .insertInto('export_file')
    .values(values)
    .onConflict((oc) => oc.column('task_id').doUpdateSet(update))
    .execute();
}

/** Newest first: every file, or the files of one user. */
export async function listExportFiles(db: Db, startedById?: number, limit = 500): Promise<ExportFile[]> {
  let q = db.kysely.selectFrom('export_file').selectAll();
  if (startedById !== undefined) q = q.where('started_by_id', '=', startedById);
  return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toExportFile);
}

export async function getExportFile(db: Db, id: number): Promise<ExportFile | undefined> {
  const row = await db.kysely.selectFrom('export_file').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toExportFile(row);
}

/** Task ids that have written their file. */
export async function tasksWithFiles(db: Db, taskIds: readonly number[]): Promise<Set<number>> {
  if (taskIds.length === 0) return new Set();
  const rows = await db.kysely.selectFrom('export_file').select('task_id').where('task_id', 'in', [...taskIds]).execute();
  return new Set(rows.map((r) => r.task_id));
}

/** Deletes the file and its record. */
export async function deleteExportFile(db: Db, dataDir: string, f: ExportFile): Promise<void> {
  const path = exportFilePath(dataDir, f.fileName);
  if (path) await rm(path, { force: true });
  await db.kysely.deleteFrom('export_file').where('id', '=', f.id).execute();
}
