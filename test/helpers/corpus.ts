// The shared corpus of real dose objects, referenced where it lies (never copied).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(here, '..', '..');
export const SHARED = resolve(PROJECT_ROOT, '..', 'shared');
export const CORPUS = join(SHARED, 'corpus', 'dicom');
export const CASES = join(SHARED, 'conformance', 'cases');
export const BEHAVIOUR = join(SHARED, 'conformance', 'behaviour');

export function corpusFile(name: string): string {
  const p = join(CORPUS, name);
  if (!existsSync(p)) throw new Error(`corpus file missing: ${p}`);
  return p;
}

export function corpusBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(corpusFile(name)));
}

/**
 * A corpus file with every occurrence of ASCII strings replaced by others of the same length
 * (`{ from: to }`): values changed in place, every offset and length in the file still right.
 */
export function corpusBytesReplaced(name: string, replacements: Readonly<Record<string, string>>): Uint8Array {
  const buf = Buffer.from(corpusBytes(name));
  for (const [from, to] of Object.entries(replacements)) {
    if (to.length !== from.length) throw new Error(`"${to}" is not as long as "${from}"`);
    const a = Buffer.from(from, 'latin1');
    const b = Buffer.from(to, 'latin1');
    let replaced = 0;
    for (let i = buf.indexOf(a); i >= 0; i = buf.indexOf(a, i + a.length)) {
      b.copy(buf, i);
      replaced++;
    }
    if (replaced === 0) throw new Error(`${name} does not contain "${from}"`);
  }
  return new Uint8Array(buf);
}

export function behaviour<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(BEHAVIOUR, name), 'utf8')) as T;
}

export function conformanceCase<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(CASES, `${name}.json`), 'utf8')) as T;
}
