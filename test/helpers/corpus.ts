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

export function behaviour<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(BEHAVIOUR, name), 'utf8')) as T;
}

export function conformanceCase<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(CASES, `${name}.json`), 'utf8')) as T;
}
