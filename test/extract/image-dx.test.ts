// Radiography image headers (DX, CR, PX): values read from real corpus images, units of the
// header attributes, the filter and grid parsing rules and the vendor quirks.
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/dicom/read.js';
import { classify, extractFromBytes } from '../../src/extract/index.js';
import { parseFilters, parseGrids } from '../../src/extract/image-xray.js';
import type { DoseReport, ProjectionEvent } from '../../src/report/types.js';
import { behaviour, corpusBytes, corpusBytesReplaced } from '../helpers/corpus.js';
import { editedCopy } from './nm-copies.js';

function extractBytes(bytes: Uint8Array, name = 'object'): DoseReport {
  const outcome = extractFromBytes(bytes);
  if (outcome.status !== 'report') throw new Error(`${name}: ${outcome.status} (${outcome.reason})`);
  return outcome.report;
}

function extract(name: string): DoseReport {
  return extractBytes(corpusBytes(name), name);
}

function onlyEvent(r: DoseReport): ProjectionEvent {
  expect(r.projection?.events).toHaveLength(1);
  return r.projection!.events[0]!;
}

describe('GE Optima XR220 DX image', () => {
  const r = extract('DX-Im-GE_XR220-1.dcm');
  const e = onlyEvent(r);

  it('is a DX report of one radiographic exposure', () => {
    expect(r.modality).toBe('DX');
    expect(r.sourceKind).toBe('dx-image');
    expect(r.projection).toMatchObject({ procedureReported: 'Projection X-Ray', sourceOfDoseInformation: 'Copied From Image Attributes', xrayDetectorDataAvailable: 'Yes' });
    expect(e).toMatchObject({
      acquisitionPlane: 'Single Plane',
      irradiationEventType: 'Stationary Acquisition',
      irradiationEventUid: '1.3.6.1.4.1.5962.99.1.2282339064.1266597797.1479751121656.20.0',
      dateTimeStarted: '2014-09-30T14:11:33',
      acquisitionProtocol: 'ABD_1_VIEW',
      anatomicalStructure: 'Abdomen',
      viewPosition: 'antero-posterior',
    });
  });

  it('converts the dose area product from dGy·cm² (0.41) to Gy·m²', () => {
    expect(e.doseAreaProductGym2).toBeCloseTo(4.1e-6, 12);
    expect(r.projection!.accumulated[0]!.integratedProjection).toEqual({ doseAreaProductTotalGym2: e.doseAreaProductGym2, totalNumberOfRadiographicFrames: 1 });
    expect(r.summary.totalDapGym2).toBeCloseTo(4.1e-6, 12);
  });

  it('reads technique factors and the detector indices', () => {
    expect(e).toMatchObject({
      kvp: 69.639999,
      exposureUAs: 1040,
      averageXrayTubeCurrentMa: 189,
      exposureTimeMs: 6,
      focalSpotSizeMm: 0.6,
      exposureIndex: 51.745061,
      targetExposureIndex: 438.469173,
      deviationIndex: -9.3,
      sensitivity: 97.213916,
      collimatedFieldHeightMm: 402,
      collimatedFieldWidthMm: 402,
    });
    expect(e.collimatedFieldAreaM2).toBeCloseTo(0.161604, 9);
    expect(e.grids).toEqual([{ grid: 'No grid', gridCode: '111646' }]);
    expect(e.filters).toEqual([]);
  });

  it('takes the protocol as procedure and the series description where the study has none', () => {
    expect(r.study.procedureCode).toBe('ABD_1_VIEW');
    expect(r.study.studyDescription).toBe('Abdomen');
    expect(r.patient).toMatchObject({ birthDate: '1957-11-12', ageYears: 56.9, heightM: null, weightKg: null });
  });
});

describe('Kodak DR 7500 CR image', () => {
  const e = onlyEvent(extract('DX-Im-Carestream_DR7500-2.dcm'));

  it('splits comma-separated filter values into one filter per material, thicknesses in order', () => {
    expect(e.filters).toEqual([
      { type: 'Wedge filter', material: 'Aluminum or Aluminum compound', thicknessMinimumMm: 0.94, thicknessMaximumMm: 1.06 },
      { type: 'Wedge filter', material: 'Copper or Copper compound', thicknessMinimumMm: 0.194, thicknessMaximumMm: 0.206 },
    ]);
  });

  it('reads the source to detector distance, which this model writes in decimetres, in mm', () => {
    expect(e.distanceSourceToDetectorMm).toBe(1150);
    // A later console writing millimetres, as the standard asks, is not scaled a second time.
    const inMm = onlyEvent(extractBytes(corpusBytesReplaced('DX-Im-Carestream_DR7500-2.dcm', { '11.5': '1150' })));
    expect(inMm.distanceSourceToDetectorMm).toBe(1150);
  });

  it('refuses a negative dose area product, with a warning', () => {
    const r = extractBytes(corpusBytesReplaced('DX-Im-Carestream_DR7500-2.dcm', { '10.157': '-10.15' }));
    expect(onlyEvent(r).doseAreaProductGym2).toBeNull();
    expect(r.summary.totalDapGym2 ?? null).toBeNull();
    expect(r.warnings).toContain('Image and Fluoroscopy Area Dose Product: -10.15 is negative, which it cannot be; it was not stored');
  });

  it('takes the exposure from mAs when no µAs value is written, and names the relative exposure', () => {
    expect(e).toMatchObject({ exposureUAs: 9000, averageXrayTubeCurrentMa: 500, exposureTimeMs: 18, relativeXrayExposure: 1430, relativeExposureUnit: 'EI (Mbels)', gridFocalDistanceMm: 1828.8 });
    expect(e.doseAreaProductGym2).toBeCloseTo(0.00010157, 12);
    expect(e.grids).toEqual([
      { grid: 'Reciprocating grid', gridCode: '111643' },
      { grid: 'Focused grid', gridCode: '111642' },
    ]);
  });
});

describe('Carestream DRX-Revolution CR image', () => {
  const r = extract('DX-Im-Carestream_DRX.dcm');
  const e = onlyEvent(r);

  it('takes the requested procedure from the study description this console fills instead', () => {
    expect(r.study.requestedProcedure).toBe('XR CHEST');
  });

  it('uses the irradiation event UID the image names', () => {
    expect(e.irradiationEventUid).toBe('1.3.6.1.4.1.5962.99.1.886610039.3649959.1495535261815.5.0');
    expect(e.doseAreaProductGym2).toBeCloseTo(6.33e-6, 12);
    expect(e).toMatchObject({ exposureIndex: 256.88, targetExposureIndex: 226.22, deviationIndex: 0.55, exposureUAs: 1000 });
  });
});

describe('patient size in the header', () => {
  it('is read in m and kg; zero means not entered', () => {
    const sized = extractBytes(
      editedCopy('DX-Im-GE_XR220-1.dcm', (ds) => {
        ds.PatientSize = 1.68;
        ds.PatientWeight = 72.5;
      }),
    );
    expect(sized.patient).toMatchObject({ heightM: 1.68, weightKg: 72.5 });
    const zero = extractBytes(
      editedCopy('DX-Im-GE_XR220-1.dcm', (ds) => {
        ds.PatientSize = 0;
        ds.PatientWeight = 0;
      }),
    );
    expect(zero.patient).toMatchObject({ heightM: null, weightKg: null });
  });
});

describe('an image without any date', () => {
  it('is read, with no study date and no event start', () => {
    const r = extract('DX-Im-Date-Missing.dcm');
    expect(r.study.studyDate).toBeNull();
    expect(r.study.studyTime).toBe('10:48:05');
    expect(r.equipment).toMatchObject({ institutionName: 'DX Date Removed', stationName: 'KODAK7500' });
    const e = onlyEvent(r);
    expect(e.dateTimeStarted).toBeNull();
    expect(e.doseAreaProductGym2).toBeCloseTo(0.00011013, 12);
  });
});

interface FilterFacts {
  cases: {
    test: string;
    input: { FilterMaterial: string | string[]; FilterThicknessMinimum: string; FilterThicknessMaximum: string; FilterType: string };
    expected: { filtersCount: number; filters: { material: string }[] };
  }[];
}

describe('DX filter parsing', () => {
  for (const c of behaviour<FilterFacts>('dx-filter-material-parsing.json').cases) {
    it(`maps materials to their coded meaning, one filter each (${c.test})`, () => {
      const material = Array.isArray(c.input.FilterMaterial) ? c.input.FilterMaterial.join('\\') : c.input.FilterMaterial;
      const filters = parseFilters({ type: c.input.FilterType, material, thicknessMinimum: c.input.FilterThicknessMinimum, thicknessMaximum: c.input.FilterThicknessMaximum });
      expect(filters).toHaveLength(c.expected.filtersCount);
      expect(filters.map((f) => f.material)).toEqual(c.expected.filters.map((f) => f.material));
    });
  }

  it('reads thicknesses by position and the filter type', () => {
    expect(parseFilters({ type: 'WEDGE', material: 'ALUMINUM\\COPPER', thicknessMinimum: '1.0\\0.1', thicknessMaximum: '1.0\\0.1' })).toEqual([
      { type: 'Wedge filter', material: 'Aluminum or Aluminum compound', thicknessMinimumMm: 1, thicknessMaximumMm: 1 },
      { type: 'Wedge filter', material: 'Copper or Copper compound', thicknessMinimumMm: 0.1, thicknessMaximumMm: 0.1 },
    ]);
  });

  it('keeps a lone decimal comma as one number', () => {
    expect(parseFilters({ type: 'FLAT', material: 'ALUMINIUM', thicknessMinimum: '2,5', thicknessMaximum: '2,5' })).toEqual([
      { type: 'Flat filter', material: 'Aluminum or Aluminum compound', thicknessMinimumMm: 2.5, thicknessMaximumMm: 2.5 },
    ]);
  });

  it('records an explicit "no filter", and nothing when nothing is said', () => {
    expect(parseFilters({ type: 'NONE', material: null, thicknessMinimum: null, thicknessMaximum: null })).toEqual([{ type: 'No filter' }]);
    expect(parseFilters({ type: null, material: null, thicknessMinimum: null, thicknessMaximum: null })).toEqual([]);
  });

  it('reads a copper filter written only as a type with its thickness', () => {
    expect(parseFilters({ type: 'CU_0.2_MM', material: null, thicknessMinimum: null, thicknessMaximum: null })).toEqual([
      { type: 'Flat filter', material: 'Copper or Copper compound', thicknessMinimumMm: 0.2, thicknessMaximumMm: 0.2 },
    ]);
  });

  it('keeps a material without a code as written', () => {
    expect(parseFilters({ type: null, material: 'TEFLON', thicknessMinimum: null, thicknessMaximum: null })[0]!.material).toBe('TEFLON');
  });
});

describe('grid parsing', () => {
  it('reads each grid term, abbreviated or not, once', () => {
    expect(parseGrids(['RECIPROCATING', 'FO'])).toEqual([
      { grid: 'Reciprocating grid', gridCode: '111643' },
      { grid: 'Focused grid', gridCode: '111642' },
    ]);
    expect(parseGrids(['FIXED', 'CROSSED', 'PARALLEL', 'FIXED'])).toEqual([
      { grid: 'Fixed grid', gridCode: '111641' },
      { grid: 'Crossed grid', gridCode: '111645' },
      { grid: 'Parallel grid', gridCode: '111644' },
    ]);
    expect(parseGrids(['NONE'])).toEqual([{ grid: 'No grid', gridCode: '111646' }]);
    expect(parseGrids(['X', 'UNKNOWN'])).toEqual([]);
  });
});

describe('classification of radiography images', () => {
  it('reads dental panoramic images (PX) as DX', () => {
    const px = editedCopy('DX-Im-GE_XR220-1.dcm', (ds) => {
      ds.Modality = 'PX';
    });
    expect(classify(parseDicom(px).dataset)).toEqual({ kind: 'dx-image', enhancedSr: false });
    expect(extractBytes(px).modality).toBe('DX');
  });

  it('reads a mammogram stored in a radiography class as mammography', () => {
    const mg = editedCopy('DX-Im-GE_XR220-1.dcm', (ds) => {
      ds.Modality = 'MG';
    });
    expect(classify(parseDicom(mg).dataset)).toEqual({ kind: 'mg-image', enhancedSr: false });
    expect(extractBytes(mg).modality).toBe('MG');
  });
});
