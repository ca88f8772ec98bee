// Expands command-line paths: files, directories (recursively, in name order, following
// symbolic links) and glob patterns (`*`, `?`, `**`) for shells that do not expand them.
// A folder or link that cannot be read is reported and the rest is still expanded.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { ioReason } from '../io-errors.js';

/** A file to read, or a path that gave no files and why. */
export type PathItem = { file: string } | { failed: string; reason: string };

const GLOB_CHARS = /[*?[]/;

/**
 * What one expansion has visited, by real path: a folder reached twice (a link to an
 * ancestor, two links to one folder) is walked once, and a file reached through several
 * links is read once.
 */
class Visited {
  private readonly folders = new Set<string>();
  private readonly files = new Set<string>();
  /** Files met, read before or not: a pattern matching only files already taken still matched. */
  met = 0;

  /** True the first time a folder is entered. */
  enterFolder(real: string): boolean {
    if (this.folders.has(real)) return false;
    this.folders.add(real);
    return true;
  }

  /** True the first time a file is met. */
  takeFile(real: string): boolean {
    this.met++;
    if (this.files.has(real)) return false;
    this.files.add(real);
    return true;
  }
}

async function listFolder(dir: string): Promise<Dirent[] | { reason: string; absent: boolean }> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.sort((a, b) => a.name.localeCompare(b.name));
  } catch (err) {
    return { reason: `cannot read folder: ${ioReason(err)}`, absent: (err as NodeJS.ErrnoException).code === 'ENOENT' };
  }
}

/** What an entry is, links followed; null for anything but files and folders (sockets, devices). */
async function entryKind(path: string, e: Dirent): Promise<'file' | 'folder' | { reason: string } | null> {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'folder';
  if (e.isFIFO() || e.isSocket() || e.isBlockDevice() || e.isCharacterDevice()) return null;
  // A link, or an entry whose type the file system does not report: ask for what it is.
  try {
    const target = await stat(path);
    if (target.isFile()) return 'file';
    if (target.isDirectory()) return 'folder';
    return null;
  } catch (err) {
    return { reason: `${e.isSymbolicLink() ? 'symbolic link whose target cannot be read' : 'cannot read'}: ${ioReason(err)}` };
  }
}

async function* fileItem(path: string, visited: Visited): AsyncGenerator<PathItem> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    yield { failed: path, reason: `cannot read file: ${ioReason(err)}` };
    return;
  }
  if (visited.takeFile(real)) yield { file: path };
}

async function* walk(dir: string, visited: Visited): AsyncGenerator<PathItem> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    yield { failed: dir, reason: `cannot read folder: ${ioReason(err)}` };
    return;
  }
  if (!visited.enterFolder(real)) return;
  const entries = await listFolder(dir);
  if (!Array.isArray(entries)) {
    yield { failed: dir, reason: entries.reason };
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    const kind = await entryKind(p, e);
    if (kind === 'folder') yield* walk(p, visited);
    else if (kind === 'file') yield* fileItem(p, visited);
    else if (kind) yield { failed: p, reason: kind.reason };
  }
}

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/\\\\]*';
    else if (ch === '?') re += '[^/\\\\]';
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

async function* glob(pattern: string, visited: Visited): AsyncGenerator<PathItem> {
  const abs = resolve(pattern);
  const parts = abs.split(/[\\/]/);
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const rest = parts.slice(firstGlob);
  yield* matchFrom(base, rest, visited, new Set());
}

/** `searched`: real paths of the folders `**` has descended through, so a link loop ends. */
async function* matchFrom(dir: string, rest: string[], visited: Visited, searched: ReadonlySet<string>): AsyncGenerator<PathItem> {
  if (rest.length === 0) {
    yield* fileItem(dir, visited);
    return;
  }
  const [head, ...tail] = rest as [string, ...string[]];
  const entries = await listFolder(dir);
  if (!Array.isArray(entries)) {
    // A folder that is not there holds no match; one that cannot be read may.
    if (!entries.absent) yield { failed: dir, reason: entries.reason };
    return;
  }
  if (head === '**') {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return;
    }
    if (searched.has(real)) return;
    const deeper = new Set(searched).add(real);
    yield* matchFrom(dir, tail, visited, deeper);
    for (const e of entries) {
      const p = join(dir, e.name);
      if ((await entryKind(p, e)) === 'folder') yield* matchFrom(p, rest, visited, deeper);
    }
    return;
  }
  const re = segmentRegex(head);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    const p = join(dir, e.name);
    const kind = await entryKind(p, e);
    if (kind !== null && typeof kind === 'object') yield { failed: p, reason: kind.reason };
    else if (tail.length === 0) {
      if (kind === 'file') yield* fileItem(p, visited);
      else if (kind === 'folder') yield* walk(p, visited);
    } else if (kind === 'folder') {
      yield* matchFrom(p, tail, visited, searched);
    }
  }
}

export async function* expandPaths(args: readonly string[]): AsyncGenerator<PathItem> {
  const visited = new Visited();
  for (const arg of args) {
    let info;
    try {
      info = await stat(arg);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        yield { failed: arg, reason: `cannot read: ${ioReason(err)}` };
        continue;
      }
      info = null;
    }
    if (info?.isDirectory()) {
      yield* walk(arg, visited);
    } else if (info?.isFile()) {
      // A file named on the command line is read even if a folder walk met it already.
      yield { file: arg };
    } else if (info) {
      // Reading a pipe or a device would wait for data that may never come.
      yield { failed: arg, reason: 'not a regular file (a pipe, socket or device)' };
    } else if (GLOB_CHARS.test(arg)) {
      const metBefore = visited.met;
      let any = false;
      for await (const item of glob(arg, visited)) {
        any = true;
        yield item;
      }
      if (!any && visited.met === metBefore) yield { failed: arg, reason: 'no files match this pattern' };
    } else {
      yield { failed: arg, reason: 'file not found' };
    }
  }
}
