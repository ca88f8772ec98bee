// Makes copies of real dose objects with fresh UIDs, so each copy is a new study to the
// importer. Instance UIDs are rewritten in place with the same length (the files stay valid
// byte for byte); class and transfer-syntax UIDs are left alone.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UID = /\d+(?:\.\d+){4,}/g;

/** Instance UIDs carry a long numeric component (a time stamp or serial); class UIDs do not. */
function longestComponent(uid) {
  const parts = uid.split('.');
  let best = -1;
  for (let i = 0; i < parts.length; i++) if (parts[i].length >= 9 && (best < 0 || parts[i].length > parts[best].length)) best = i;
  return best;
}

export function withCopyNumber(uid, n) {
  const parts = uid.split('.');
  const i = longestComponent(uid);
  if (i < 0) return uid;
  const digits = String(n).padStart(7, '0');
  parts[i] = parts[i].slice(0, parts[i].length - digits.length) + digits;
  return parts.join('.');
}

export function makeCopies(sourceFile, outDir, count, prefix) {
  mkdirSync(outDir, { recursive: true });
  const original = readFileSync(sourceFile);
  const text = original.toString('latin1');
  const uids = [...new Set(text.match(UID) ?? [])].filter((u) => longestComponent(u) >= 0);
  const files = [];
  for (let n = 1; n <= count; n++) {
    let copy = text;
    for (const u of uids) copy = copy.split(u).join(withCopyNumber(u, n));
    const f = join(outDir, `${prefix}-${String(n).padStart(6, '0')}.dcm`);
    writeFileSync(f, Buffer.from(copy, 'latin1'));
    files.push(f);
  }
  return files;
}
