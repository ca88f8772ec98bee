// Height and weight values as a CSV holds them, to metres and kilograms.
//
// How a height's unit is known, first rule that applies:
//   1. the value names it: "172 cm", "1.72 m";
//   2. the import says so: heights in centimetres or in metres (the web form's choice, or
//      `--height-unit` on the command line);
//   3. the column's name names it: "Height (cm)", "height_m", "Height [metres]";
//   4. the value itself: below 3 it is in metres, from 3 up in centimetres. No person is 3 m
//      tall or 3 cm long, so the two ranges cannot be mistaken for each other.
// Weights are in kilograms ("kg" may follow the number). A decimal comma is accepted ("80,6"),
// as files saved with semicolons often have one. Zero means "not measured": like an empty cell
// it gives no value, but it is told apart so the log can say the file held a zero. Values
// outside what a patient can measure (negative ones included) are refused, never stored.

export type HeightUnit = 'cm' | 'm';
/** What the import was told about heights: a unit, or to work it out (rules 3 and 4). */
export const HEIGHT_UNIT_CHOICES = ['auto', 'cm', 'm'] as const;
export type HeightUnitChoice = (typeof HEIGHT_UNIT_CHOICES)[number];

/** Plausible for a patient, in metres: from a very premature baby to the tallest recorded. */
export const HEIGHT_RANGE_M = { min: 0.2, max: 2.75 } as const;
/** Plausible for a patient, in kilograms. */
export const WEIGHT_RANGE_KG = { min: 0.2, max: 650 } as const;

/** Below this a unit-less height is in metres. */
const METRES_BELOW = 3;

const NUMBER = /^([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))\s*([a-zA-Z]*)$/;

/** A value read: null for an empty cell, or for a zero (then `zero` says so). */
export type Parsed<T> = { ok: true; value: T | null; zero?: true } | { ok: false; problem: string };

const ZERO = { ok: true, value: null, zero: true } as const;

/** "0.2 to 2.75 m or 20 to 275 cm": the heights accepted, in both units a file may use. */
export const HEIGHT_RANGE_TEXT = `${HEIGHT_RANGE_M.min} to ${HEIGHT_RANGE_M.max} m or ${roundTo(HEIGHT_RANGE_M.min * 100, 2)} to ${roundTo(HEIGHT_RANGE_M.max * 100, 2)} cm`;
export const WEIGHT_RANGE_TEXT = `${WEIGHT_RANGE_KG.min} to ${WEIGHT_RANGE_KG.max} kg`;

function readNumber(text: string): { value: number; unit: string } | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  return { value: Number(m[1]!.replace(',', '.')), unit: m[2]!.toLowerCase() };
}

/** Rule 3: the unit a column's name gives its heights, if any. */
export function unitFromColumnName(name: string): HeightUnit | null {
  const words = name.toLowerCase().split(/[^a-z]+/).filter(Boolean);
  if (words.some((w) => w === 'cm' || w === 'centimetres' || w === 'centimeters' || w === 'centimetre' || w === 'centimeter')) return 'cm';
  if (words.slice(1).some((w) => w === 'm' || w === 'metres' || w === 'meters' || w === 'metre' || w === 'meter')) return 'm';
  return null;
}

/** A CSV height (rules above) in metres; null for an empty cell or zero. */
export function parseHeight(text: string, unit: HeightUnit | null): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const n = readNumber(trimmed);
  if (!n) return { ok: false, problem: `height "${trimmed}" is not a number` };
  if (n.unit !== '' && n.unit !== 'cm' && n.unit !== 'm') return { ok: false, problem: `height "${trimmed}" is not in centimetres or metres` };
  if (n.value === 0) return ZERO;
  const implausible = (what: string) => ({ ok: false, problem: `height "${trimmed}" ${what}, not a plausible patient height (accepted: ${HEIGHT_RANGE_TEXT})` }) as const;
  if (n.value < 0) return implausible('is negative');
  const given: HeightUnit = n.unit === 'cm' || n.unit === 'm' ? n.unit : (unit ?? (n.value < METRES_BELOW ? 'm' : 'cm'));
  const metres = given === 'cm' ? n.value / 100 : n.value;
  if (metres < HEIGHT_RANGE_M.min || metres > HEIGHT_RANGE_M.max) {
    // Without a unit in the value, say which one it was read in: the mistake is often there.
    return implausible(n.unit === '' ? `read as ${given === 'cm' ? 'centimetres' : 'metres'} is ${formatHeight(metres)}` : `is ${formatHeight(metres)}`);
  }
  return { ok: true, value: roundTo(metres, 4) };
}

/** A CSV weight in kilograms; null for an empty cell or zero. */
export function parseWeight(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const n = readNumber(trimmed);
  if (!n) return { ok: false, problem: `weight "${trimmed}" is not a number` };
  if (n.unit !== '' && n.unit !== 'kg') return { ok: false, problem: `weight "${trimmed}" is not in kilograms, the only unit accepted` };
  if (n.value === 0) return ZERO;
  if (n.value < WEIGHT_RANGE_KG.min || n.value > WEIGHT_RANGE_KG.max) {
    return { ok: false, problem: `weight "${trimmed}" ${n.value < 0 ? 'is negative, ' : 'is '}not a plausible patient weight (accepted: ${WEIGHT_RANGE_TEXT})` };
  }
  return { ok: true, value: n.value };
}

/** Rounds away binary noise of the cm → m division (170 / 100 = 1.7, not 1.7000000000000002). */
function roundTo(value: number, places: number): number {
  return Number(value.toFixed(places));
}

export function formatHeight(metres: number): string {
  return `${Number(metres.toFixed(4))} m`;
}

export function formatWeight(kg: number): string {
  return `${Number(kg.toFixed(3))} kg`;
}
