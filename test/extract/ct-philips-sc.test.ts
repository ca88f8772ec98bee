// Philips CT dose-info secondary capture: the acquisitions and totals its header carries,
// with units converted, and which Philips CT captures are read at all.
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/dicom/read.js';
import { classify, extractFromBytes } from '../../src/extract/index.js';
import type { CtDose, DoseReport } from '../../src/report/types.js';
import { corpusBytes } from '../helpers/corpus.js';
import { editedCopy } from './nm-copies.js';

const FILE = 'CT-SC-Philips_Brilliance16P.dcm';

function extract(bytes: Uint8Array): DoseReport {
  const outcome = extractFromBytes(bytes);
  if (outcome.status !== 'report') throw new Error(`${outcome.status} (${outcome.reason})`);
  return outcome.report;
}

describe('Philips Brilliance 16P dose info', () => {
  const r = extract(corpusBytes(FILE));
  const ct = r.ct as CtDose;

  it('is a CT report with one event per acquisition of the Exposure Dose Sequence', () => {
    expect(r.modality).toBe('CT');
    expect(r.sourceKind).toBe('ct-philips-sc');
    expect(ct).toMatchObject({ procedureReported: 'Computed Tomography X-Ray', sourceOfDoseInformation: 'Copied From Image Attributes', totalNumberOfIrradiationEvents: 4 });
    expect(ct.events.map((e) => [e.acquisitionProtocol, e.acquisitionType])).toEqual([
      [null, 'Constant Angle Acquisition'],
      ['PRE KIDNEYS', 'Spiral Acquisition'],
      ['30S KIDNEYS', 'Spiral Acquisition'],
      ['100S C/A/P', 'Spiral Acquisition'],
    ]);
  });

  it('reads each acquisition with its units converted (ms to s, µA to mA)', () => {
    const e = ct.events[1]!;
    expect(e).toMatchObject({ exposureTimeS: 6.986, scanningLengthMm: 231, nominalSingleCollimationWidthMm: 1.5, nominalTotalCollimationWidthMm: 24, numberOfXraySources: 1, dlpMGyCm: 196.01 });
    expect(e.pitchFactor).toBeCloseTo(0.835539, 6);
    expect(e.meanCtdiVolMGy).toBeCloseTo(7.200979, 6);
    expect(e.sources).toEqual([{ identificationOfTheXraySource: 'A', kvp: 120, xrayTubeCurrentMa: 165.044374 }]);
    expect(ct.events[0]).toMatchObject({ exposureTimeS: null, meanCtdiVolMGy: 0, dlpMGyCm: 0 });
  });

  it('takes the total DLP from the private element the console writes, not the rounded per-event sum', () => {
    expect(ct.totalDlpMGyCm).toBe(1102.44609);
    expect(r.summary).toMatchObject({ numberOfEvents: 4, numberOfSpiral: 3, numberOfConstAngle: 1, numberOfAxial: 0, numberOfStationary: 0, totalDlpMGyCm: 1102.44609 });
  });

  it('has no event times (the console writes none) and so no irradiation span', () => {
    expect(ct.events.every((e) => e.dateTimeStarted === null)).toBe(true);
    expect(ct).toMatchObject({ startOfXrayIrradiation: null, endOfXrayIrradiation: null });
  });

  it('finds the private DLP through its creator, wherever the creator reserved its block', () => {
    // DICOM writers drop private values, so the two top-level tags are changed in place: the
    // creator (00E1,0010) becomes (00E1,0020) and the DLP (00E1,1021) becomes (00E1,2021).
    const moved = Buffer.from(corpusBytes(FILE));
    const creator = moved.lastIndexOf(Buffer.from([0xe1, 0x00, 0x10, 0x00, 0x4c, 0x4f]));
    const dlp = moved.lastIndexOf(Buffer.from([0xe1, 0x00, 0x21, 0x10, 0x55, 0x4e]));
    expect(creator).toBeGreaterThan(0);
    expect(dlp).toBeGreaterThan(creator);
    moved[creator + 2] = 0x20;
    moved[dlp + 3] = 0x20;
    expect(extract(new Uint8Array(moved)).ct!.totalDlpMGyCm).toBe(1102.44609);
  });
});

describe('classification of Philips CT captures', () => {
  it('reads dose-info captures and leaves other captures alone', () => {
    expect(classify(parseDicom(corpusBytes(FILE)).dataset)).toEqual({ kind: 'ct-philips-sc', enhancedSr: false });
    const screenshot = editedCopy(FILE, (ds) => {
      ds.ImageType = ['DERIVED', 'SECONDARY'];
      delete ds.ExposureDoseSequence;
    });
    expect(classify(parseDicom(screenshot).dataset).kind).toBeNull();
  });
});
