// Mammography image headers: GE Senographe DS values, glandular dose units, the breast's
// accumulated dose, Hologic tomosynthesis projection captures (whose header hides the dose
// behind a badly encoded sequence) and which captures count as exposures.
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/dicom/read.js';
import { classify, extractFromBytes } from '../../src/extract/index.js';
import { imageAccumulated } from '../../src/extract/image-xray.js';
import type { DoseReport, ProjectionEvent } from '../../src/report/types.js';
import { corpusBytes, corpusBytesReplaced } from '../helpers/corpus.js';

function extract(name: string): DoseReport {
  const outcome = extractFromBytes(corpusBytes(name));
  if (outcome.status !== 'report') throw new Error(`${name}: ${outcome.status} (${outcome.reason})`);
  return outcome.report;
}

function onlyEvent(r: DoseReport): ProjectionEvent {
  expect(r.projection?.events).toHaveLength(1);
  return r.projection!.events[0]!;
}

describe('a negative organ dose in a mammography header', () => {
  it('is refused with a warning, and no breast gets a dose from it', () => {
    const outcome = extractFromBytes(corpusBytesReplaced('MG-Im-GE-SenDS-scaled.dcm', { '0.01373': '-0.0137' }));
    if (outcome.status !== 'report') throw new Error(outcome.status);
    expect(onlyEvent(outcome.report).averageGlandularDoseMGy).toBeNull();
    expect(outcome.report.warnings).toContain('Organ Dose: -0.0137 is negative, which it cannot be; it was not stored');
    expect(outcome.report.summary.totalAgdLeftMGy ?? null).toBeNull();
  });
});

describe('GE Senographe DS image', () => {
  const r = extract('MG-Im-GE-SenDS-scaled.dcm');
  const e = onlyEvent(r);

  it('is an MG report of one exposure of the left breast', () => {
    expect(r.modality).toBe('MG');
    expect(r.sourceKind).toBe('mg-image');
    expect(r.projection!.procedureReported).toBe('Mammography');
    expect(e).toMatchObject({ laterality: 'Left', viewPosition: 'cranio-caudal', anatomicalStructure: 'BREAST', acquisitionProtocol: 'ROUTINE', dateTimeStarted: '2013-04-12T12:41:47' });
  });

  it('converts the organ dose from dGy (0.01373) to an average glandular dose in mGy', () => {
    expect(e.averageGlandularDoseMGy).toBeCloseTo(1.373, 10);
    expect(e.entranceExposureAtRpMGy).toBe(5.071);
    expect(r.projection!.accumulated).toEqual([{ acquisitionPlane: 'Single Plane', mammography: [{ laterality: 'Left breast', accumulatedAverageGlandularDoseMGy: e.averageGlandularDoseMGy }] }]);
    expect(r.summary).toMatchObject({ numberOfEvents: 1, totalAgdLeftMGy: e.averageGlandularDoseMGy, totalAgdRightMGy: null });
  });

  it('reads target, filter, grids and technique factors', () => {
    expect(e).toMatchObject({
      anodeTargetMaterial: 'Rhodium or Rhodium compound',
      kvp: 29,
      exposureUAs: 51800,
      averageXrayTubeCurrentMa: 61,
      exposureTimeMs: 834,
      focalSpotSizeMm: 0.3,
      percentFibroglandularTissue: 31,
    });
    expect(e.filters).toEqual([{ type: 'Strip filter', material: 'Rhodium or Rhodium compound', thicknessMinimumMm: null, thicknessMaximumMm: null }]);
    expect(e.grids).toEqual([
      { grid: 'Reciprocating grid', gridCode: '111643' },
      { grid: 'Focused grid', gridCode: '111642' },
    ]);
    expect(e.collimatedFieldAreaM2).toBeCloseTo(0.043739, 9);
  });

  it('stores the compression force of this model as written, in newtons', () => {
    expect(e).toMatchObject({ compressionForceN: 50, compressionThicknessMm: 53, magnificationFactor: 1, columnAngulationDeg: 0 });
    expect(e).toMatchObject({ distanceSourceToDetectorMm: 660, distanceSourceToEntranceSurfaceMm: 607 });
  });
});

describe('For Presentation and For Processing images of one exposure', () => {
  it('have the same exposure start, which lets ingestion count the exposure once', () => {
    const presentation = onlyEvent(extract('MG-Im-GE_Seno_1_ForPresentation.dcm'));
    const processing = onlyEvent(extract('MG-Im-GE_Seno_1_ForProcessing.dcm'));
    expect(presentation.dateTimeStarted).toBe('2013-04-12T13:22:23');
    expect(processing.dateTimeStarted).toBe(presentation.dateTimeStarted);
    expect(processing.irradiationEventUid).not.toBe(presentation.irradiationEventUid);
    expect(presentation.averageGlandularDoseMGy).toBeCloseTo(0.547, 10);
  });
});

describe('Hologic tomosynthesis projection capture', () => {
  it('is read past its UN sequence whose items are in explicit VR, to the dose values after it', () => {
    const parsed = parseDicom(corpusBytes('MG-Im-Hologic-PropProj.dcm'));
    expect(parsed.damage).toBeNull();
    expect(parsed.dataset.number('x00400316')).toBe(0.0026);
    expect(parsed.dataset.sequence('x00400260')).toHaveLength(1);
  });

  it('keeps what was read when the file ends inside or after that sequence', () => {
    const bytes = corpusBytes('MG-Im-Hologic-PropProj.dcm');
    const afterDose = parseDicom(bytes.subarray(0, 13700));
    expect(afterDose.damage?.kind).toBe('truncated');
    expect(afterDose.dataset.number('x00400316')).toBe(0.0026);
    const insideSequence = parseDicom(bytes.subarray(0, 13600));
    expect(insideSequence.damage?.reason).toMatch(/^truncated: the file ends inside element \(0040,0260\) at byte 13600$/);
    expect(insideSequence.dataset.string('x00080060')).toBe('MG');
    expect(insideSequence.dataset.number('x00400316')).toBeNull();
  });

  it('records the right breast exposure with its glandular dose', () => {
    const r = extract('MG-Im-Hologic-PropProj.dcm');
    expect(r.warnings).toBeUndefined();
    const e = onlyEvent(r);
    expect(e).toMatchObject({ laterality: 'Right', kvp: 28, exposureUAs: 6000, anodeTargetMaterial: 'Tungsten or Tungsten compound', halfValueLayerMm: 0.479, entranceExposureAtRpMGy: 0.42, compressionThicknessMm: 18 });
    expect(e.averageGlandularDoseMGy).toBeCloseTo(0.26, 10);
    expect(e.filters).toEqual([{ type: null, material: 'Aluminum or Aluminum compound', thicknessMinimumMm: 0.7, thicknessMaximumMm: 0.7 }]);
    expect(r.projection!.accumulated[0]!.mammography).toEqual([{ laterality: 'Right breast', accumulatedAverageGlandularDoseMGy: e.averageGlandularDoseMGy }]);
    expect(r.summary.totalAgdRightMGy).toBeCloseTo(0.26, 10);
  });

  it('counts only original captures as exposures: a derived one copies another image', () => {
    // Its badly encoded sequence stops DICOM writers from rewriting it, so the Image Type is changed in place (same length).
    const original = Buffer.from(corpusBytes('MG-Im-Hologic-PropProj.dcm'));
    const at = original.indexOf('ORIGINAL\\PRIMARY');
    expect(at).toBeGreaterThan(0);
    const derived = Buffer.from(original);
    derived.write('DERIVED\\PRIMARY ', at, 'latin1');
    expect(classify(parseDicom(new Uint8Array(derived)).dataset).kind).toBeNull();
    expect(classify(parseDicom(new Uint8Array(original)).dataset).kind).toBe('mg-image');
  });
});

describe('accumulated glandular dose of a study built from images', () => {
  it('is summed per breast over the events that have a dose', () => {
    const events: ProjectionEvent[] = [
      { laterality: 'Left', averageGlandularDoseMGy: 0.5 },
      { laterality: 'Right', averageGlandularDoseMGy: 1.25 },
      { laterality: 'Left', averageGlandularDoseMGy: 0.75 },
      { laterality: null, averageGlandularDoseMGy: 2 },
      { laterality: 'Right', averageGlandularDoseMGy: null },
    ];
    expect(imageAccumulated('MG', events)).toEqual([
      {
        acquisitionPlane: 'Single Plane',
        mammography: [
          { laterality: 'Right breast', accumulatedAverageGlandularDoseMGy: 1.25 },
          { laterality: 'Left breast', accumulatedAverageGlandularDoseMGy: 1.25 },
        ],
      },
    ]);
  });
});
