// Compares stored or extracted values with the known-correct values of the shared
// conformance cases, by the rules of their README: numbers to 7 decimal places (or the
// case's own), null = not stored, {} = unchecked element, xxxCount / xxxFirst / xxxLast on
// arrays, gridsInclude as set membership, objectUidsProcessed as a multiset.

const NOT_COMPARED = new Set(['kind', 'log', 'invariants', 'noNewStudy', 'uniqueEquipmentCount', 'importSucceeds', 'studyCountAtLeast', 'exactlyOne']);

function canonicalTemporal(s: string): string {
  const m = /^(.*?)(?:\.(\d+))?$/.exec(s);
  if (!m || !/\d{2}:\d{2}(:\d{2})?$/.test(m[1]!)) return s;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return /^0+$/.test(frac) ? m[1]! : `${m[1]}.${frac}`;
}

function closeEnough(actual: unknown, expected: number, places = 7): boolean {
  const a = typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : actual;
  if (typeof a !== 'number' || !Number.isFinite(a)) return false;
  return Math.round(Math.abs(a - expected) * 10 ** places) === 0;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function mismatches(actual: unknown, expected: Json, path = ''): string[] {
  const out: string[] = [];
  compare(actual, expected, path, out);
  return out;
}

function compare(actual: unknown, expected: Json, path: string, out: string[]): void {
  if (expected === null) {
    if (actual !== null && actual !== undefined) out.push(`${path}: expected null, got ${JSON.stringify(actual)}`);
    return;
  }
  if (typeof expected === 'number') {
    if (!closeEnough(actual, expected)) out.push(`${path}: expected ${expected}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (typeof expected === 'string') {
    const a = typeof actual === 'string' ? canonicalTemporal(actual) : actual;
    if (a !== canonicalTemporal(expected)) out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (typeof expected === 'boolean') {
    if (actual !== expected) out.push(`${path}: expected ${expected}, got ${JSON.stringify(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push(`${path}: expected an array, got ${JSON.stringify(actual)?.slice(0, 80)}`);
      return;
    }
    expected.forEach((e, i) => {
      if (e && typeof e === 'object' && !Array.isArray(e) && Object.keys(e).length === 0) return;
      compare(actual[i], e, `${path}[${i}]`, out);
    });
    return;
  }
  if ('value' in expected && 'places' in expected && typeof expected.value === 'number') {
    if (!closeEnough(actual, expected.value, Number(expected.places))) out.push(`${path}: expected ${expected.value} (${String(expected.places)} places), got ${JSON.stringify(actual)}`);
    return;
  }
  if (actual === null || typeof actual !== 'object') {
    out.push(`${path}: missing (expected an object)`);
    return;
  }
  const obj = actual as Record<string, unknown>;
  for (const [key, e] of Object.entries(expected)) {
    const p = path ? `${path}.${key}` : key;
    if (NOT_COMPARED.has(key)) continue;
    if (key.endsWith('Count') && !(key in obj)) {
      const arr = obj[key.slice(0, -5)];
      if (!Array.isArray(arr)) out.push(`${p}: no array to count`);
      else if (arr.length !== e) out.push(`${p}: expected ${String(e)}, got ${arr.length}`);
      continue;
    }
    if ((key.endsWith('First') || key.endsWith('Last')) && !(key in obj)) {
      const first = key.endsWith('First');
      const arr = obj[first ? key.slice(0, -5) : key.slice(0, -4)];
      if (!Array.isArray(arr) || arr.length === 0) out.push(`${p}: no array`);
      else compare(first ? arr[0] : arr[arr.length - 1], e, p, out);
      continue;
    }
    if (key === 'gridsInclude' && Array.isArray(e)) {
      const grids = obj.grids;
      const meanings = Array.isArray(grids) ? grids.map((g) => (typeof g === 'string' ? g : (g as { grid?: string })?.grid)) : [];
      for (const g of e) if (!meanings.includes(g as string)) out.push(`${p}: grid ${JSON.stringify(g)} not among ${JSON.stringify(grids)}`);
      continue;
    }
    if (key === 'objectUidsProcessed' && Array.isArray(e)) {
      const a = [...((obj[key] as string[]) ?? [])].sort();
      const x = [...(e as string[])].sort();
      if (JSON.stringify(a) !== JSON.stringify(x)) out.push(`${p}: expected ${JSON.stringify(x)}, got ${JSON.stringify(a)}`);
      continue;
    }
    compare(obj[key], e, p, out);
  }
}

/** `exactlyOne`: each named array (dotted path, [i] indexes) has exactly one element. */
export function exactlyOneMismatches(study: unknown, paths: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const p of paths ?? []) {
    let v: unknown = study;
    for (const part of p.split('.')) {
      const m = /^(\w+)\[(\d+)\]$/.exec(part);
      v = m ? (v as Record<string, unknown[]>)?.[m[1]!]?.[Number(m[2])] : (v as Record<string, unknown>)?.[part];
    }
    if (!Array.isArray(v) || v.length !== 1) out.push(`${p}: expected exactly one, got ${Array.isArray(v) ? v.length : 'none'}`);
  }
  return out;
}
