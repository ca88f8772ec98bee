// Expands command-line paths: files, directories (recursively, in name order) and glob
// patterns (`*`, `?`, `**`) for shells that do not expand them.
import { readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

export type PathItem = { file: string } | { missing: string; reason: string };

const GLOB_CHARS = /[*?[]/;

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
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

async function* glob(pattern: string): AsyncGenerator<string> {
  const abs = resolve(pattern);
  const parts = abs.split(/[\\/]/);
  const firstGlob = parts.findIndex((p) => GLOB_CHARS.test(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const rest = parts.slice(firstGlob);
  yield* matchFrom(base, rest);
}

async function* matchFrom(dir: string, rest: string[]): AsyncGenerator<string> {
  if (rest.length === 0) {
    yield dir;
    return;
  }
  const [head, ...tail] = rest as [string, ...string[]];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  if (head === '**') {
    yield* matchFrom(dir, tail);
    for (const e of entries) if (e.isDirectory()) yield* matchFrom(join(dir, e.name), rest);
    return;
  }
  const re = segmentRegex(head);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    const p = join(dir, e.name);
    if (tail.length === 0) {
      if (e.isFile()) yield p;
      else if (e.isDirectory()) yield* walk(p);
    } else if (e.isDirectory()) {
      yield* matchFrom(p, tail);
    }
  }
}

export async function* expandPaths(args: readonly string[]): AsyncGenerator<PathItem> {
  for (const arg of args) {
    let info;
    try {
      info = await stat(arg);
    } catch {
      info = null;
    }
    if (info?.isDirectory()) {
      for await (const f of walk(arg)) yield { file: f };
    } else if (info) {
      yield { file: arg };
    } else if (GLOB_CHARS.test(arg)) {
      let any = false;
      for await (const f of glob(arg)) {
        any = true;
        yield { file: f };
      }
      if (!any) yield { missing: arg, reason: 'no files match this pattern' };
    } else {
      yield { missing: arg, reason: 'file not found' };
    }
  }
}
