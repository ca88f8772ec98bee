import { describe, expect, it } from 'vitest';
import { labelOfKey } from '../../src/query/labels.js';
import { DAP, DOSE_GY, EXPOSURE, formatNumber, formatValue, preciseNumber, readableNumber, type DisplayUnit, unitOfKey } from '../../src/query/units.js';

const withUnit = (value: number, unit: DisplayUnit) => `${formatValue(value, unit)} ${unit.shown}`;

describe('display units', () => {
  it('shows DAP in cGy·cm² (1 Gy·m² = 10^6 cGy·cm²)', () => {
    expect(withUnit(1, DAP)).toBe('1000000 cGy·cm²');
    // RF-RDSR-Siemens-Zee total DAP: 1.6e-5 Gy·m² is 16 cGy·cm², without floating-point noise.
    expect(withUnit(1.6e-5, DAP)).toBe('16 cGy·cm²');
    expect(formatValue(1.07e-5, DAP)).toBe('10.7');
  });

  it('shows dose at RP in mGy, exposure in mAs, and keeps mGy, mGy·cm, s and ms as stored', () => {
    expect(withUnit(0.00252, DOSE_GY)).toBe('2.52 mGy');
    expect(withUnit(800, EXPOSURE)).toBe('0.8 mAs');
    expect(unitOfKey('meanCtdiVolMGy')).toEqual({ base: 'meanCtdiVol', unit: { stored: 'mGy', shown: 'mGy', factor: 1 } });
    expect(unitOfKey('dlpMGyCm')?.unit.shown).toBe('mGy·cm');
    expect(unitOfKey('averageGlandularDoseMGy')?.unit.shown).toBe('mGy');
    expect(unitOfKey('exposureTimeS')?.unit.shown).toBe('s');
    expect(unitOfKey('exposureTimeMs')?.unit.shown).toBe('ms');
  });

  it('reads units from key suffixes, longest first, and knows kVp and per-pulse arrays', () => {
    expect(unitOfKey('totalRpDoseAGy')).toEqual({ base: 'totalRpDoseA', unit: DOSE_GY });
    expect(unitOfKey('totalDapBGym2')).toEqual({ base: 'totalDapB', unit: DAP });
    expect(unitOfKey('entranceExposureAtRpMGy')?.unit.shown).toBe('mGy');
    expect(unitOfKey('heightM')?.unit.shown).toBe('m');
    expect(unitOfKey('collimatedFieldAreaM2')?.unit.shown).toBe('m²');
    expect(unitOfKey('glomerularFiltrationRateMlPerMinPer173M2')?.unit.shown).toBe('ml/min/1.73 m²');
    expect(unitOfKey('exposureUAs')?.unit).toBe(EXPOSURE);
    expect(unitOfKey('kvp')?.unit.shown).toBe('kV');
    expect(unitOfKey('pulseWidths')?.unit.shown).toBe('ms');
    // Organ masses of radiopharmaceutical dose reports, and the glandularity of mammography.
    expect(unitOfKey('massG')).toEqual({ base: 'mass', unit: { stored: 'g', shown: 'g', factor: 1 } });
    expect(unitOfKey('percentFibroglandularTissue')?.unit.shown).toBe('%');
    expect(unitOfKey('pitchFactor')).toBeNull();
    expect(unitOfKey('numberOfXraySources')).toBeNull();
    expect(unitOfKey('acquisitionProtocol')).toBeNull();
  });

  it('formats numbers to six significant digits without exponents or grouping', () => {
    expect(formatNumber(586.34)).toBe('586.34');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1234567.8)).toBe('1234568');
    expect(formatNumber(1.2e-9)).toBe('0.0000000012');
    expect(formatNumber(-2.5)).toBe('-2.5');
    expect(formatNumber(0)).toBe('0');
    expect(formatValue(null, DAP)).toBe('');
  });

  it('rounds numbers for reading to four significant digits, never dropping a digit of the whole part', () => {
    // Real corpus values: CT-SC-Philips_Brilliance16P total DLP and CTDIvol of event 2,
    // RF-RDSR-GE-OECEliteMiniView DAP (in cGy·cm²) and dose at RP (in mGy).
    expect(readableNumber(1102.44609)).toBe('1102.4');
    expect(readableNumber(7.200978719152135)).toBe('7.201');
    expect(readableNumber(0.0000013316568 * 1e6)).toBe('1.332');
    expect(readableNumber(0.00022034578 * 1e3)).toBe('0.2203');
    expect(readableNumber(724.52)).toBe('724.5');
    expect(readableNumber(1590)).toBe('1590');
    expect(readableNumber(1234567.8)).toBe('1234567.8');
    expect(readableNumber(16.000000000000004)).toBe('16');
    expect(readableNumber(-45.25)).toBe('-45.25');
    expect(readableNumber(0)).toBe('0');
    // The full value, without floating-point noise, for titles.
    expect(preciseNumber(7.200978719152135)).toBe('7.20097871915214');
    expect(preciseNumber(0.0000013316568 * 1e6)).toBe('1.3316568');
    expect(preciseNumber(1.6000000000000003e-5 * 1e6)).toBe('16');
  });

  it('labels keys without their unit, with the usual abbreviations', () => {
    expect(labelOfKey('meanCtdiVolMGy')).toBe('Mean CTDIvol');
    expect(labelOfKey('dlpMGyCm')).toBe('DLP');
    expect(labelOfKey('doseAreaProductTotalGym2')).toBe('Dose area product total');
    expect(labelOfKey('totalDlpMGyCm')).toBe('Total DLP');
    expect(labelOfKey('identificationOfTheXraySource')).toBe('Identification of the X-ray source');
    expect(labelOfKey('irradiationEventUid')).toBe('Irradiation event UID');
    expect(labelOfKey('ctdivolAlertValueMGy')).toBe('CTDIvol alert value');
    expect(labelOfKey('totalRpDoseAGy')).toBe('Total RP dose A');
    expect(labelOfKey('age')).toBe('Age (as recorded)');
    expect(labelOfKey('ageYears')).toBe('Age');
  });
});
