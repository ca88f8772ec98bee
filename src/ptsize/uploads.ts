// Uploaded size CSVs wait in the data folder until their import has run, then are deleted:
// they hold patient identifiers. Workers read them there, so a worker on another machine needs
// the same data folder (as for exports). Uploads whose columns were never chosen are removed
// after ABANDONED_AFTER_MS, with their import.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Db } from '../db/connect.js';
import { clearUploadPath, deleteSizeImportRow, type SizeImport } from './store.js';

export const ABANDONED_AFTER_MS = 24 * 3600 * 1000;

export function uploadDir(dataDir: string): string {
  return join(dataDir, 'ptsize', 'uploads');
}

/** A new, unguessable file name for an upload: its absolute path and the path stored. */
export async function newUploadPath(dataDir: string): Promise<{ absolute: string; stored: string }> {
  const dir = uploadDir(dataDir);
  await mkdir(dir, { recursive: true });
  const absolute = join(dir, `${randomBytes(12).toString('hex')}.csv`);
  return { absolute, stored: relative(dataDir, absolute) };
}

/** The absolute path of a stored upload path; null should it point outside the upload folder. */
export function uploadFile(dataDir: string, stored: string): string | null {
  const root = resolve(uploadDir(dataDir));
  const file = resolve(dataDir, stored);
  return file.startsWith(root + sep) ? file : null;
}

/** Deletes an import's waiting file, if any, and forgets it. */
export async function removeUpload(db: Db, dataDir: string, imp: Pick<SizeImport, 'id' | 'uploadPath'>): Promise<void> {
  if (imp.uploadPath === null) return;
  const file = uploadFile(dataDir, imp.uploadPath);
  if (file) await rm(file, { force: true });
  await clearUploadPath(db, imp.id);
}

/**
 * Removes what was left behind: files of imports that have ended (their worker died before it
 * could delete them) and uploads never given their columns within ABANDONED_AFTER_MS.
 */
export async function sweepUploads(db: Db, dataDir: string, now = Date.now()): Promise<void> {
  const rows = await db.kysely
    .selectFrom('size_import')
    .select(['id', 'upload_path', 'state', 'created_at'])
    .where('upload_path', 'is not', null)
    .where('state', 'in', ['uploaded', 'done', 'failed', 'aborted'])
    .execute();
  for (const r of rows) {
    if (r.state === 'uploaded') {
      if (now - Date.parse(r.created_at) < ABANDONED_AFTER_MS) continue;
      await removeUpload(db, dataDir, { id: r.id, uploadPath: r.upload_path });
      await deleteSizeImportRow(db, r.id);
    } else {
      await removeUpload(db, dataDir, { id: r.id, uploadPath: r.upload_path });
    }
  }
}
