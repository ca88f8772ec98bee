// Retrying quarantined files (after a fix or a settings change): a file that now imports
// leaves the quarantine; one that still fails stays, its note updated.
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import type { SiteSettings } from '../settings/site.js';
import { noteFileFor, quarantineDir, type QuarantineNote } from './file-disposition.js';
import { importFile, type FileResult } from './import-file.js';

export async function quarantinedFiles(dataDir: string): Promise<string[]> {
  const root = quarantineDir(dataDir);
  let days: string[];
  try {
    days = (await readdir(root)).sort();
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const day of days) {
    let names: string[];
    try {
      names = (await readdir(join(root, day))).sort();
    } catch {
      continue;
    }
    for (const n of names) if (!n.endsWith('.reason.json')) files.push(join(root, day, n));
  }
  return files;
}

export async function readNote(quarantined: string): Promise<QuarantineNote | null> {
  try {
    return JSON.parse(await readFile(noteFileFor(quarantined), 'utf8')) as QuarantineNote;
  } catch {
    return null;
  }
}

export async function retryQuarantined(db: Db, settings: SiteSettings, dataDir: string, logger?: Logger, onResult?: (r: FileResult) => void, signal?: AbortSignal): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (const file of await quarantinedFiles(dataDir)) {
    if (signal?.aborted) break;
    // No dataDir: a file failing again must not be quarantined a second time.
    const r = await importFile(db, settings, file, logger ? { logger } : {});
    if (r.status === 'failed') {
      const note = await readNote(file);
      const updated: QuarantineNote = {
        originalPath: note?.originalPath ?? file,
        kind: note?.kind ?? null,
        quarantinedAt: note?.quarantinedAt ?? new Date().toISOString(),
        reason: r.message,
        attempts: (note?.attempts ?? 1) + 1,
      };
      await writeFile(noteFileFor(file), JSON.stringify(updated, null, 2));
    } else {
      await rm(file, { force: true });
      await rm(noteFileFor(file), { force: true });
    }
    results.push(r);
    onResult?.(r);
  }
  return results;
}
