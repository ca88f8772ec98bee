// The values of export files: a cell is text, a number or nothing, and a column says how to
// read one from a row. Numbers leave here in the units people read (src/query/units.ts), and
// a column's header names that unit, so no number in a file goes without its unit.
import { unitOfKey, toShown, type DisplayUnit } from '../query/units.js';
import { withoutFloatNoise } from '../report/float-noise.js';

export type Cell = string | number | null;

export interface Column<T> {
  header: string;
  value(row: T): Cell;
}

/**
 * A stored value in the shown unit, rounded to 12 significant digits: enough for any dose a
 * system reports, and it drops the float noise of unit conversion (1.6e-5 Gy·m² is 16 cGy·cm²,
 * not 16.000000000000004).
 */
export function shownNumber(value: number, unit: DisplayUnit | null): number {
  const shown = unit ? toShown(value, unit) : value;
  return withoutFloatNoise(shown);
}

function numberCell(value: unknown, unit: DisplayUnit | null): Cell {
  return typeof value === 'number' ? shownNumber(value, unit) : null;
}

function textCell(value: unknown): Cell {
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'number' ? value : String(value);
}

/** "Label (unit)", or the label alone for numbers without a unit. */
export function headerWithUnit(label: string, unit: DisplayUnit | null): string {
  return unit?.shown ? `${label} (${unit.shown})` : label;
}

export function textColumn<T>(header: string, get: (row: T) => unknown): Column<T> {
  return { header, value: (row) => textCell(get(row)) };
}

/** A number in a unit of its own (not named by a DoseReport key), converted for display. */
export function quantityColumn<T>(label: string, unit: DisplayUnit | null, get: (row: T) => number | null | undefined): Column<T> {
  return { header: headerWithUnit(label, unit), value: (row) => numberCell(get(row), unit) };
}

/**
 * A number whose unit is the one the DoseReport key ends with ("dlpMGyCm" → mGy·cm): the key
 * is the one definition of its unit.
 */
export function keyColumn<T>(label: string, key: string, get: (row: T) => number | null | undefined): Column<T> {
  return quantityColumn(label, unitOfKey(key)?.unit ?? null, get);
}

/** The same columns with a prefix on their headers ("E3 CTDIvol (mGy)"). */
export function prefixed<T>(prefix: string, columns: readonly Column<T>[]): Column<T>[] {
  return columns.map((c) => ({ header: `${prefix} ${c.header}`, value: c.value }));
}

/** Columns of an optional part: empty cells when the part is missing. */
export function within<T, P>(columns: readonly Column<P>[], part: (row: T) => P | null | undefined): Column<T>[] {
  return columns.map((c) => ({
    header: c.header,
    value: (row) => {
      const p = part(row);
      return p === null || p === undefined ? null : c.value(p);
    },
  }));
}

/**
 * Mean of the values that are numbers and not zero (per-pulse lists hold zeros for pulses
 * without a reading), to 12 significant digits: readings have far fewer, and a sum of binary
 * fractions would otherwise show as 34.040000000000006 in a spreadsheet.
 */
export function meanOfReadings(values: readonly (number | null | undefined)[] | undefined): number | null {
  const readings = (values ?? []).filter((v): v is number => typeof v === 'number' && v !== 0 && Number.isFinite(v));
  return readings.length ? withoutFloatNoise(readings.reduce((a, b) => a + b, 0) / readings.length) : null;
}
