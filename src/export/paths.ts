// Where export files live and what they are called: under <data dir>/media/exports, with
// names the program makes from the task (never from anything a user typed). A file is written
// as "<name>.<attempt>.partial" and takes its name only once complete.
import { readdir, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Db } from '../db/connect.js';

export function exportsDir(dataDir: string): string {
  return join(dataDir, 'media', 'exports');
}

export const PARTIAL_SUFFIX = '.partial';

/**
 * The file an attempt writes before it is complete: one per attempt, so a stalled run that
 * resumes after another worker took its task over never writes into the new run's file.
 */
export function partialPath(final: string, attempt: number): string {
  return `${final}.${attempt}${PARTIAL_SUFFIX}`;
}

/** The export file name a partial file is for, or null for any other file. */
function finalNameOf(partialName: string): string | null {
  const m = /^(.+)\.\d+\.partial$/.exec(partialName);
  return m && NAME.test(m[1]!) ? m[1]! : null;
}

/** Removes every attempt's partial file of an export. */
export async function removePartials(dataDir: string, name: string): Promise<void> {
  const dir = exportsDir(dataDir);
  for (const f of await readdir(dir).catch(() => [] as string[])) if (finalNameOf(f) === name) await rm(join(dir, f), { force: true });
}

export type ExportFormat = 'csv' | 'xlsx' | 'nhsbsp' | 'openskin';

const EXTENSIONS: Record<ExportFormat, 'csv' | 'xlsx'> = { csv: 'csv', xlsx: 'xlsx', nhsbsp: 'csv', openskin: 'csv' };

export function extensionOf(format: ExportFormat): 'csv' | 'xlsx' {
  return EXTENSIONS[format];
}

/** "openrem-ct-export-pid-12.xlsx": modality, kind of file, patient identifiers, task. */
export function exportFileName(modality: string, format: ExportFormat, pid: boolean, taskId: number): string {
  const kind = format === 'nhsbsp' ? 'nhsbsp' : format === 'openskin' ? 'openskin' : 'export';
  return `openrem-${modality.toLowerCase()}-${kind}${pid ? '-pid' : ''}-${taskId}.${extensionOf(format)}`;
}

const NAME = /^openrem-[a-z]+-[a-z]+(-pid)?-(\d+)\.(csv|xlsx)$/;

/** The path of an export file, or null when the name is not one the program makes. */
export function exportFilePath(dataDir: string, name: string): string | null {
  if (!NAME.test(name)) return null;
  const dir = resolve(exportsDir(dataDir));
  const path = resolve(dir, name);
  return path.startsWith(dir + sep) ? path : null;
}

/**
 * Removes partial files left by runs that will not finish them: their worker died, or was
 * killed before it could clean up. A partial file of a running task is its own and stays.
 */
export async function removeAbandonedPartials(db: Db, dataDir: string): Promise<number> {
  const dir = exportsDir(dataDir);
  const partials = (await readdir(dir).catch(() => [] as string[])).filter((f) => finalNameOf(f) !== null);
  if (partials.length === 0) return 0;
  const taskOf = (f: string) => Number(NAME.exec(finalNameOf(f)!)![2]);
  const running = new Set(
    (await db.kysely.selectFrom('task').select('id').where('id', 'in', partials.map(taskOf)).where('state', '=', 'running').execute()).map((r) => r.id),
  );
  let removed = 0;
  for (const f of partials) {
    if (running.has(taskOf(f))) continue;
    await rm(join(dir, f), { force: true });
    removed++;
  }
  return removed;
}
