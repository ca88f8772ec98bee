import { describe, expect, it } from 'vitest';
import { ageBetween, parseAgeYears, parseDate, parseDateTime, parseDecimal, parseDecimals, parseTime, splitValues, trimValue } from '../../src/dicom/values.js';

describe('DICOM value parsing', () => {
  it('reads decimal strings as vendors write them', () => {
    expect(parseDecimal(' 12.5 ')).toBe(12.5);
    expect(parseDecimal('1,034')).toBe(1.034);
    expect(parseDecimal('1.6e-005')).toBe(1.6e-5);
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('abc')).toBeNull();
    expect(parseDecimals('1.0\\0.1')).toEqual([1, 0.1]);
    expect(parseDecimals('1.0\\\\0.1')).toEqual([1, null, 0.1]);
  });

  it('reads dates, times and date-times', () => {
    expect(parseDate('20160309')).toBe('2016-03-09');
    expect(parseDate('2016.03.09')).toBe('2016-03-09');
    expect(parseDate('20160230')).toBeNull();
    expect(parseDate('  ')).toBeNull();
    expect(parseTime('172833.689')).toBe('17:28:33.689000');
    expect(parseTime('1728')).toBe('17:28:00');
    expect(parseTime('17:28:33')).toBe('17:28:33');
    expect(parseTime('000000.000000')).toBe('00:00:00');
    expect(parseDateTime('19970101000631.737+0000')).toBe('1997-01-01T00:06:31.737000');
    expect(parseDateTime('20190316132725')).toBe('2019-03-16T13:27:25');
  });

  it('strips padding of every kind a vendor may write, and nothing else', () => {
    expect(trimValue('  CT Head\0\0')).toBe('CT Head');
    expect(trimValue('\u00a0Thorax\t\r\n')).toBe('Thorax');
    expect(trimValue('a b')).toBe('a b');
    expect(trimValue('\0 \0')).toBe('');
    expect(splitValues(' 1.0 \\0.1\0')).toEqual(['1.0', '0.1']);
    expect(splitValues('ORIGINAL ')).toEqual(['ORIGINAL']);
    // Padding is exactly what \s (or NUL) matches, for every UTF-16 code unit.
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      const padding = /[\s\0]/u.test(ch);
      expect(trimValue(`x${ch}`), `U+${c.toString(16)}`).toBe(padding ? 'x' : `x${ch}`);
      expect(trimValue(`${ch}x`), `U+${c.toString(16)}`).toBe(padding ? 'x' : `${ch}x`);
    }
  });

  it('reads ages in days, weeks, months and years', () => {
    expect(parseAgeYears('067Y')).toBe(67);
    expect(parseAgeYears('006M')).toBe(0.5);
    expect(parseAgeYears('89Y')).toBe(89);
    expect(parseAgeYears('')).toBeNull();
    expect(ageBetween('1929-05-19', '1997-01-01')).toBe(67.6);
  });
});
