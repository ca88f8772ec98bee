import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/dicom/sr.js';
import { convertMeasurement, parseUnit } from '../../src/dicom/ucum.js';
import { behaviour } from '../helpers/corpus.js';

function m(value: number | null, unit: string | null): Measurement {
  return { value, unit: unit === null ? null : { value: unit, scheme: 'UCUM', meaning: unit } };
}

function converted(value: number | null, unit: string | null, target: string): number | null {
  const r = convertMeasurement(m(value, unit), target);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

interface UnitFacts {
  cases: { quantity: string; input: { value: number; unitCode: string | null }; expectedGym2?: number; expectedGy?: number }[];
}

describe('UCUM units of measured values', () => {
  it('reads the spellings devices use for one unit as the same unit', () => {
    const reference = parseUnit('mGy.cm');
    for (const spelling of ['mGycm', 'mGy*cm', 'MGY.CM', 'mGy cm']) {
      const u = parseUnit(spelling);
      expect(u?.scale, spelling).toBe(reference?.scale);
      expect([...(u?.dims ?? [])], spelling).toEqual([...(reference?.dims ?? [])]);
    }
  });

  it('refuses an activity in capitals whose "M" could be milli or mega, and reads the unambiguous ones', () => {
    for (const spelling of ['MBQ', 'Mbq', 'mbq']) {
      expect(parseUnit(spelling), spelling).toBeNull();
      const r = convertMeasurement(m(394, spelling), 'MBq');
      expect(r.ok, spelling).toBe(false);
    }
    expect(converted(394, 'MBq', 'MBq')).toBe(394);
    expect(converted(394, 'KBQ', 'MBq')).toBe(0.394);
    // Doses have no mega units: capital M stays milli there.
    expect(converted(11.51, 'MGY', 'mGy')).toBe(11.51);
  });

  it('converts dose area product and dose at reference point as the behaviour facts say', () => {
    const facts = behaviour<UnitFacts>('rdsr-dose-units.json');
    expect(facts.cases.length).toBe(6);
    for (const c of facts.cases) {
      if (c.quantity === 'dose area product') {
        expect(converted(c.input.value, c.input.unitCode, 'Gy.m2')).toBeCloseTo(c.expectedGym2!, 12);
      } else {
        expect(converted(c.input.value, c.input.unitCode, 'Gy')).toBeCloseTo(c.expectedGy!, 12);
      }
    }
  });

  it('scales within a dimension and leaves values in the target unit untouched', () => {
    expect(converted(15.82, 'cGy.cm', 'mGy.cm')).toBe(158.2);
    expect(converted(0.02, 'Gy.cm', 'mGy.cm')).toBe(20);
    expect(converted(2.5, 'cm', 'mm')).toBe(25);
    expect(converted(500, 'ms', 's')).toBe(0.5);
    expect(converted(2, 'min', 's')).toBe(120);
    expect(converted(0.12, 'A', 'mA')).toBe(120);
    expect(converted(415.82, 'mGycm', 'mGy.cm')).toBe(415.82);
    const same = convertMeasurement(m(415.82, 'mGycm'), 'mGy.cm');
    expect(same).toEqual({ ok: true, value: 415.82, converted: false });
    expect(convertMeasurement(m(15.82, 'cGy.cm'), 'mGy.cm')).toEqual({ ok: true, value: 158.2, converted: true });
  });

  it('keeps mega prefixes for activities only: capital M on a dose or current means milli', () => {
    expect(converted(394, 'MBq', 'Bq')).toBe(394e6);
    expect(converted(3.2, 'MGy', 'mGy')).toBe(3.2);
    expect(converted(150, 'MA', 'mA')).toBe(150);
  });

  it('refuses units of another dimension and units it cannot read', () => {
    expect(convertMeasurement(m(251.2, 'mGy'), 'mGy.cm')).toEqual({ ok: false, reason: 'unit "mGy" cannot be converted to mGy.cm' });
    expect(convertMeasurement(m(251.2, 'furlong'), 'mGy.cm')).toEqual({ ok: false, reason: 'unit "furlong" is not a known unit' });
  });

  it('takes a value without units, or without a value, as it is', () => {
    expect(convertMeasurement(m(7.46, null), 'mGy.cm')).toEqual({ ok: true, value: 7.46, converted: false });
    expect(convertMeasurement(m(null, 'cGy.cm'), 'mGy.cm')).toEqual({ ok: true, value: null, converted: false });
  });
});

describe('units of time and activity beyond the dose units', () => {
  it('reads days, weeks and curies', () => {
    expect(parseUnit('d')?.scale).toBe(86400);
    expect(parseUnit('wk')?.scale).toBe(604800);
    expect(parseUnit('mCi')?.scale).toBeCloseTo(3.7e7, 0);
    expect(parseUnit('dGy.cm2')?.scale).toBeCloseTo(1e-5, 12);
  });
});
