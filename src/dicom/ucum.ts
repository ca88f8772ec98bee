// UCUM units of SR measured values. Devices write one unit several ways ("mGy.cm", "mGycm",
// "MGY.CM") and sometimes use another unit for the same quantity ("cGy.cm" for a DLP,
// "dGy.cm2" for a DAP); a stored value must always be in the unit its key names, so values
// are scaled between units of the same dimension and refused across dimensions.
import type { Code, Measurement } from './sr.js';
import { withoutFloatNoise } from '../report/float-noise.js';

interface Atom {
  /** Base the atom measures (dose and equivalent dose are kept apart from their SI derivation). */
  dim: string;
  scale: number;
}

/** A parsed unit: a scale relative to the product of its bases raised to their powers. */
export interface ParsedUnit {
  scale: number;
  dims: ReadonlyMap<string, number>;
}

// Case-sensitive UCUM.
const PREFIXES: Record<string, number> = { G: 1e9, M: 1e6, k: 1e3, d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, µ: 1e-6, n: 1e-9 };
/**
 * Only activities come in mega and giga units. A device writing "MGy" or "MA" means milligray
 * or milliampere (case-insensitive UCUM, below), never megagray.
 */
const LARGE_PREFIX_DIMS = new Set(['Bq']);
const ATOMS: Record<string, Atom> = {
  Gy: { dim: 'Gy', scale: 1 },
  Sv: { dim: 'Sv', scale: 1 },
  m: { dim: 'm', scale: 1 },
  s: { dim: 's', scale: 1 },
  min: { dim: 's', scale: 60 },
  h: { dim: 's', scale: 3600 },
  d: { dim: 's', scale: 86400 },
  wk: { dim: 's', scale: 604800 },
  Ci: { dim: 'Bq', scale: 3.7e10 },
  A: { dim: 'A', scale: 1 },
  V: { dim: 'V', scale: 1 },
  g: { dim: 'g', scale: 1 },
  N: { dim: 'N', scale: 1 },
  Bq: { dim: 'Bq', scale: 1 },
  deg: { dim: 'deg', scale: 1 },
  '%': { dim: '', scale: 0.01 },
  '1': { dim: '', scale: 1 },
};

// Case-insensitive UCUM (all capitals), where "M" is milli; some devices write units this way.
const CI_PREFIXES: Record<string, number> = { K: 1e3, D: 1e-1, C: 1e-2, M: 1e-3, U: 1e-6 };
const CI_ATOMS: Record<string, Atom> = {
  GY: ATOMS.Gy!,
  SV: ATOMS.Sv!,
  M: ATOMS.m!,
  S: ATOMS.s!,
  MIN: ATOMS.min!,
  HR: ATOMS.h!,
  A: ATOMS.A!,
  V: ATOMS.V!,
  G: ATOMS.g!,
  BQ: ATOMS.Bq!,
  DEG: ATOMS.deg!,
};

/** Spellings seen from devices that are not UCUM at all. */
const ALIASES: Record<string, string> = { kVp: 'kV', sec: 's', msec: 'ms', mins: 'min' };

interface Term {
  scale: number;
  dim: string;
  power: number;
}

/** Longest first, so "min" is not read as milli-"in" and prefixed atoms are tried before bare ones. */
function byLengthDesc(keys: string[]): string[] {
  return [...keys].sort((a, b) => b.length - a.length);
}

const SEPARATOR = /[.*·\s]/;

/** Every way of reading `s` from `at` as a product of prefixed atoms; the first complete one wins. */
function parseFrom(s: string, at: number, prefixes: Record<string, number>, atoms: Record<string, Atom>): Term[] | null {
  let i = at;
  while (i < s.length && SEPARATOR.test(s[i]!)) i++;
  if (i >= s.length) return [];
  if (s[i] === '{') {
    // Annotations ("{events}", "{ratio}") carry no dimension.
    const close = s.indexOf('}', i);
    return close < 0 ? null : parseFrom(s, close + 1, prefixes, atoms);
  }
  for (const prefix of [...byLengthDesc(Object.keys(prefixes)), '']) {
    if (!s.startsWith(prefix, i)) continue;
    for (const name of byLengthDesc(Object.keys(atoms))) {
      if (!s.startsWith(name, i + prefix.length)) continue;
      const atom = atoms[name]!;
      if (prefix !== '' && (atom.dim === '' || ((prefixes[prefix] ?? 1) > 1e3 && !LARGE_PREFIX_DIMS.has(atom.dim)))) continue;
      let j = i + prefix.length + name.length;
      const exp = /^-?\d+/.exec(s.slice(j));
      // A digit right after an atom is its exponent ("cm2"), except for the unity atom itself.
      const power = exp && name !== '1' ? Number(exp[0]) : 1;
      if (exp && name !== '1') j += exp[0].length;
      const rest = parseFrom(s, j, prefixes, atoms);
      if (rest) {
        const factor = (prefixes[prefix] ?? 1) * atom.scale;
        return [{ scale: factor ** power, dim: atom.dim, power }, ...rest];
      }
    }
  }
  return null;
}

function combine(terms: Term[]): ParsedUnit {
  let scale = 1;
  const dims = new Map<string, number>();
  for (const t of terms) {
    scale *= t.scale;
    if (t.dim === '') continue;
    const p = (dims.get(t.dim) ?? 0) + t.power;
    if (p === 0) dims.delete(t.dim);
    else dims.set(t.dim, p);
  }
  return { scale, dims };
}

/**
 * In capitals "M" is milli, but a device writing "MBQ" (or "Mbq") means megabecquerel far more
 * often than millibecquerel: for the units that do come in mega, such a reading is refused
 * rather than guessed, a factor of 10^9 being at stake.
 */
function withoutAmbiguousMilli(terms: Term[] | null): Term[] | null {
  return terms?.some((t) => LARGE_PREFIX_DIMS.has(t.dim) && t.scale === CI_PREFIXES.M) ? null : terms;
}

// Devices repeat a handful of units thousands of times per import.
const parsedUnits = new Map<string, ParsedUnit | null>();

/** Reads a UCUM unit (tolerating the spellings devices use); null when it is not one we know. */
export function parseUnit(unit: string): ParsedUnit | null {
  const cached = parsedUnits.get(unit);
  if (cached !== undefined) return cached;
  const trimmed = unit.trim();
  let result: ParsedUnit | null = null;
  if (trimmed !== '') {
    const s = ALIASES[trimmed] ?? trimmed;
    const terms = parseFrom(s, 0, PREFIXES, ATOMS) ?? withoutAmbiguousMilli(parseFrom(s.toUpperCase(), 0, CI_PREFIXES, CI_ATOMS));
    result = terms && terms.length > 0 ? combine(terms) : null;
  }
  if (parsedUnits.size < 10_000) parsedUnits.set(unit, result);
  return result;
}

function sameDimension(a: ParsedUnit, b: ParsedUnit): boolean {
  if (a.dims.size !== b.dims.size) return false;
  for (const [d, p] of a.dims) if (b.dims.get(d) !== p) return false;
  return true;
}

/** Readable name of the unit a device used: its code value, else its meaning. */
export function unitLabel(unit: Code | null): string {
  return unit?.value || unit?.meaning || '(none)';
}

export type Conversion =
  /** `converted` is set when the device used another unit than the target. */
  | { ok: true; value: number | null; converted: boolean }
  | { ok: false; reason: string };

/**
 * The measurement in `target` units. A measurement without units is taken to be in the
 * target unit already (what the standard prescribes for the item). A unit of another
 * dimension, or one that cannot be read, is refused rather than guessed.
 */
export function convertMeasurement(m: Measurement, target: string): Conversion {
  if (m.value === null) return { ok: true, value: null, converted: false };
  const to = parseUnit(target);
  if (!to) throw new Error(`not a known target unit: ${target}`);
  if (!m.unit) return { ok: true, value: m.value, converted: false };
  const candidates = [m.unit.value, m.unit.meaning].filter((u): u is string => !!u && u.trim() !== '');
  let from: ParsedUnit | null = null;
  for (const u of candidates) {
    from = parseUnit(u);
    if (from) break;
  }
  if (!from) return { ok: false, reason: `unit "${unitLabel(m.unit)}" is not a known unit` };
  if (!sameDimension(from, to)) return { ok: false, reason: `unit "${unitLabel(m.unit)}" cannot be converted to ${target}` };
  const factor = from.scale / to.scale;
  if (factor === 1) return { ok: true, value: m.value, converted: false };
  return { ok: true, value: withoutFloatNoise(m.value * factor), converted: true };
}
