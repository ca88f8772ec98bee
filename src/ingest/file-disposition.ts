// What happens to a source file after its import: deleted once its data is committed (when
// the site asks for that, per kind of object), or kept in the quarantine folder with a note
// of the reason when it failed, so nothing is ever lost and it can be retried.
import { copyFile, mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ExtractorKind } from '../extract/index.js';
import type { SiteSettings } from '../settings/site.js';

/** The deletion setting that governs each kind of object. */
export function deleteSettingFor(kind: ExtractorKind): keyof SiteSettings['deleteAfterImport'] {
  switch (kind) {
    case 'rdsr-ct':
    case 'rdsr-projection':
    case 'rrdsr':
      return 'rdsr';
    case 'dx-image':
      return 'dx';
    case 'mg-image':
      return 'mg';
    case 'ct-philips-sc':
      return 'ctPhilips';
    case 'nm-image':
      return 'nm';
  }
}

export function quarantineDir(dataDir: string): string {
  return join(dataDir, 'quarantine');
}

export interface QuarantineNote {
  originalPath: string;
  reason: string;
  kind: ExtractorKind | null;
  quarantinedAt: string;
  attempts: number;
}

/** Sidecar note next to a quarantined file. */
export function noteFileFor(quarantined: string): string {
  return `${quarantined}.reason.json`;
}

async function moveOrCopy(from: string, to: string, move: boolean): Promise<'moved' | 'copied'> {
  if (move) {
    try {
      await rename(from, to);
      return 'moved';
    } catch {
      // Another file system, or a read-only source: fall back to a copy.
    }
  }
  await copyFile(from, to);
  if (move) {
    try {
      await unlink(from);
      return 'moved';
    } catch {
      return 'copied';
    }
  }
  return 'copied';
}

/**
 * Keeps a failed file in the quarantine folder with its reason. The source is moved when the
 * site deletes that kind of object after import (its folder is meant to empty; for a file of
 * unknown kind, when any kind is deleted), else copied so the user's own files stay where they
 * are. Returns the quarantined path.
 */
export async function quarantine(dataDir: string, file: string, reason: string, kind: ExtractorKind | null, settings: SiteSettings, now = new Date()): Promise<string> {
  const dir = join(quarantineDir(dataDir), now.toISOString().slice(0, 10));
  await mkdir(dir, { recursive: true });
  const stamp = now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 17);
  const target = join(dir, `${stamp}-${basename(file)}`);
  // Unrecognisable files follow the site's general choice: any deletion setting means the folder is managed.
  const move = kind !== null ? settings.deleteAfterImport[deleteSettingFor(kind)] : Object.values(settings.deleteAfterImport).some(Boolean);
  await moveOrCopy(file, target, move);
  const note: QuarantineNote = { originalPath: resolve(file), reason, kind, quarantinedAt: now.toISOString(), attempts: 1 };
  await writeFile(noteFileFor(target), JSON.stringify(note, null, 2));
  return target;
}

/** Deletes a source file whose data is committed, when the site asks for it. */
export async function deleteIfConfigured(file: string, kind: ExtractorKind, settings: SiteSettings): Promise<boolean> {
  if (!settings.deleteAfterImport[deleteSettingFor(kind)]) return false;
  await rm(file, { force: true });
  return true;
}
