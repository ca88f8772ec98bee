// Units as people read them. Values are stored in the units of the DICOM SR (every DoseReport
// key and database column ends with its unit); this module is the one place that converts them
// for display or export, and every converted value travels with the label of its unit.

export interface DisplayUnit {
  /** The unit of the stored value, as the key suffix says. */
  stored: string;
  /** The unit shown to people. */
  shown: string;
  /** shown value = stored value × factor. */
  factor: number;
}

const same = (unit: string): DisplayUnit => ({ stored: unit, shown: unit, factor: 1 });

/** 1 Gy·m² = 10⁴ cm² × 10² cGy = 10⁶ cGy·cm². */
export const DAP: DisplayUnit = { stored: 'Gy·m²', shown: 'cGy·cm²', factor: 1e6 };
/** Dose at the reference point: stored in Gy, read in mGy. */
export const DOSE_GY: DisplayUnit = { stored: 'Gy', shown: 'mGy', factor: 1e3 };
/** Exposure: stored in µAs, read in mAs. */
export const EXPOSURE: DisplayUnit = { stored: 'µAs', shown: 'mAs', factor: 1e-3 };
export const MGY = same('mGy');
export const DLP = same('mGy·cm');
export const KV = same('kV');
export const MA = same('mA');
export const MS = same('ms');
export const MBQ = same('MBq');
export const YEARS = same('years');
export const KG = same('kg');
export const MM = same('mm');
export const METRES = same('m');
/** Numbers without a unit (event counts). */
export const COUNT = same('');

/**
 * Key suffix → unit, longest first so that `MGy` wins over `Gy` and `Ms` over `S`. The
 * suffixes are those of the dose-report contract.
 */
const SUFFIX_UNITS: readonly (readonly [string, DisplayUnit])[] = [
  ['MlPerMinPer173M2', same('ml/min/1.73 m²')],
  ['BqPerMmol', same('Bq/mmol')],
  ['MmolPerL', same('mmol/l')],
  ['KgPerM2', same('kg/m²')],
  ['MgPerDl', same('mg/dl')],
  ['MGyCm', DLP],
  ['Years', YEARS],
  ['Percent', same('%')],
  ['Gym2', DAP],
  ['MGy', MGY],
  ['MSv', same('mSv')],
  ['MBq', MBQ],
  ['Cm3', same('cm³')],
  ['KeV', same('keV')],
  ['UAs', EXPOSURE],
  ['Deg', same('°')],
  ['Gy', DOSE_GY],
  ['M2', same('m²')],
  ['Mm', MM],
  ['Ms', MS],
  ['Ma', MA],
  ['Kg', KG],
  ['Ns', same('ns')],
  ['Hz', { stored: 'pulse/s', shown: 'pulse/s', factor: 1 }],
  ['Ml', same('ml')],
  ['S', same('s')],
  ['M', METRES],
  ['N', same('N')],
  ['H', same('h')],
  ['G', same('g')],
];

/** Keys whose unit is not a suffix: kVp, and the per-pulse arrays of projection events. */
const NAMED_UNITS: Record<string, DisplayUnit> = {
  kvp: KV,
  kvps: KV,
  xrayTubeCurrents: MA,
  pulseWidths: MS,
  exposures: EXPOSURE,
  // The contract names it among the dimensionless keys, but its value is a percentage.
  percentFibroglandularTissue: same('%'),
};

export interface KeyUnit {
  /** The key without its unit suffix (for labels). */
  base: string;
  unit: DisplayUnit;
}

/** The unit of a DoseReport key, or null for dimensionless and non-numeric keys. */
export function unitOfKey(key: string): KeyUnit | null {
  const named = NAMED_UNITS[key];
  if (named) return { base: key, unit: named };
  for (const [suffix, unit] of SUFFIX_UNITS) {
    if (key.length > suffix.length && key.endsWith(suffix)) return { base: key.slice(0, -suffix.length), unit };
  }
  return null;
}

export function toShown(value: number, unit: DisplayUnit): number {
  return value * unit.factor;
}

const formatters = new Map<number, Intl.NumberFormat>();

function withSignificantDigits(n: number, digits: number): string {
  let f = formatters.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumSignificantDigits: digits, useGrouping: false });
    formatters.set(digits, f);
  }
  return f.format(n);
}

/** Digits before the decimal point (0 for |n| < 1). */
function integerDigits(n: number): number {
  return Math.abs(n) < 1 ? 0 : Math.floor(Math.log10(Math.abs(n))) + 1;
}

/**
 * A number as text: six significant digits (more when the integer part needs them), no
 * exponent, no grouping, so 15.000000000000002 reads 15 and 586.34 stays 586.34.
 */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return withSignificantDigits(n, Math.min(21, Math.max(6, integerDigits(n) || 1)));
}

/**
 * A number as pages show it to be read: four significant digits, but never fewer than the
 * whole part and one decimal (1102.4, 586.3, 7.201, 1.332, 0.2203), trailing zeros dropped, no
 * exponent, no grouping. Lists and study pages show every number through this; exports keep
 * full precision, and so does the title of each value shown rounded (preciseNumber).
 */
export function readableNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return withSignificantDigits(n, Math.min(21, Math.max(4, integerDigits(n) + 1)));
}

/** A number with all the precision it has (15 significant digits), without floating-point noise. */
export function preciseNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return withSignificantDigits(n, Math.min(21, Math.max(15, integerDigits(n))));
}

/** A stored value in its shown unit, as text without the unit; '' when there is none. */
export function formatValue(value: number | null | undefined, unit: DisplayUnit): string {
  return value === null || value === undefined ? '' : formatNumber(toShown(value, unit));
}

/**
 * Relative widening of range bounds typed by people. A value that is exactly a bound in the
 * shown unit (say 16 cGy·cm², stored as 1.6000000000000003e-5 Gy·m²) must fall inside a range
 * ending there despite the unit conversion; 1e-9 is far below any precision a value has.
 */
const BOUND_TOLERANCE = 1e-9;

/** An inclusive range typed in shown units, in stored units. */
export interface StoredRange {
  min?: number;
  max?: number;
}

/**
 * Converts a range typed in the unit the pages show into the stored unit: the one place where
 * filter values change units. Bounds are widened by a hair so shown values match themselves.
 */
export function storedRange(min: number | undefined, max: number | undefined, unit: DisplayUnit): StoredRange {
  const out: StoredRange = {};
  if (min !== undefined) out.min = (min / unit.factor) * (1 - BOUND_TOLERANCE);
  if (max !== undefined) out.max = (max / unit.factor) * (1 + BOUND_TOLERANCE);
  return out;
}
