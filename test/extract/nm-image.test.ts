// PET and NM image headers: the radiopharmaceutical administration they record and the PET
// series details, from the real GE and Siemens images.
import { describe, expect, it } from 'vitest';
import { readDicomFile } from '../../src/dicom/read.js';
import { extractFromBytes, extractFromDataset } from '../../src/extract/index.js';
import type { DoseReport } from '../../src/report/types.js';
import { corpusBytes, corpusFile } from '../helpers/corpus.js';
import { editedCopy } from './nm-copies.js';

function extracted(bytes: Uint8Array): DoseReport {
  const outcome = extractFromBytes(bytes);
  if (outcome.status !== 'report') throw new Error(`not extracted: ${outcome.reason}`);
  return outcome.report;
}

describe('PET image (GE)', () => {
  const r = extracted(corpusBytes('NM-PetIm-GE.dcm'));

  it('is an NM record read from an image', () => {
    expect(r).toMatchObject({ modality: 'NM', sourceKind: 'nm-image', sopInstanceUid: '1.2.840.113619.2.290.906650885.1646915776.218486' });
    expect(r.patient).toMatchObject({ age: '051Y', sex: 'F' });
    expect(r.equipment.manufacturer).toBe('GE MEDICAL SYSTEMS');
    expect(r.warnings).toBeUndefined();
  });

  it('reads the administration, with the total dose in Bq stored as MBq', () => {
    expect(r.nm!.administration).toEqual({
      radiopharmaceuticalAgent: 'Fluorodeoxyglucose F^18^',
      radiopharmaceuticalAgentString: 'FDG -- fluorodeoxyglucose',
      radionuclide: '^18^Fluorine',
      radionuclideHalfLifeS: 6586.2001953125,
      radiopharmaceuticalSpecificActivityBqPerMmol: null,
      radiopharmaceuticalStartDatetime: '2022-03-10T12:41:00',
      radiopharmaceuticalStopDatetime: '2022-03-10T12:42:00',
      administeredActivityMBq: 221.596288,
      radiopharmaceuticalVolumeCm3: 2,
      routeOfAdministration: null,
    });
    expect(r.summary).toEqual({ numberOfEvents: 1, totalAdministeredActivityMBq: 221.596288 });
  });

  it('reads the PET series', () => {
    expect(r.nm!.petSeries).toEqual([
      {
        seriesInstanceUid: '1.2.840.113619.2.290.3.906650885.463.1646891318.605',
        seriesDatetime: '2022-03-10T13:31:55',
        numberOfRrIntervals: null,
        numberOfTimeSlots: null,
        numberOfTimeSlices: null,
        numberOfSlices: 313,
        reconstructionMethod: 'VPFXS',
        coincidenceWindowWidthNs: 0,
        energyWindowLowerLimitKeV: 425,
        energyWindowUpperLimitKeV: 650,
        scanProgressionDirection: null,
        corrections: ['DECY', 'ATTN', 'SCAT', 'DTIM', 'RANSNG', 'DCAL', 'SLSENS', 'NORM'].map((correctedImage) => ({ correctedImage })),
        seriesTypes: [{ seriesType: 'STATIC' }, { seriesType: 'IMAGE' }],
      },
    ]);
  });
});

describe('PET image (Siemens)', () => {
  const r = extracted(corpusBytes('NM-PetIm-Siemens.dcm'));

  it('reads the administration and the series it belongs to', () => {
    expect(r.nm!.administration).toMatchObject({
      radiopharmaceuticalAgent: 'Fluorodeoxyglucose F^18^',
      radiopharmaceuticalAgentString: 'Fluorodeoxyglucose',
      radionuclideHalfLifeS: 6586.2,
      administeredActivityMBq: 394,
      radiopharmaceuticalStartDatetime: '2022-02-24T10:48:30',
    });
    // The image's own administration UID is not taken: it is not the administration's.
    expect(r.nm!.administration!.radiopharmaceuticalAdministrationEventUid).toBeUndefined();
    expect(r.nm!.petSeries).toHaveLength(1);
    expect(r.nm!.petSeries![0]).toMatchObject({
      seriesInstanceUid: '1.3.12.2.1107.5.1.4.11090.30000022022409254338300006535',
      seriesDatetime: '2022-02-24T11:56:00',
      numberOfSlices: 476,
      reconstructionMethod: 'PSF+TOF 4i5s',
      coincidenceWindowWidthNs: null,
      energyWindowLowerLimitKeV: 435,
      energyWindowUpperLimitKeV: 585,
      seriesTypes: [{ seriesType: 'WHOLE BODY' }, { seriesType: 'IMAGE' }],
    });
    expect(r.nm!.petSeries![0]!.corrections!.map((c) => c.correctedImage)).toEqual(['NORM', 'DTIM', 'ATTN', 'SCAT', 'DECY', 'RAN']);
  });

  it('takes the start time with the study date when the image has no start date-time', () => {
    const copy = extracted(
      editedCopy('NM-PetIm-Siemens.dcm', (ds) => {
        const info = (ds.RadiopharmaceuticalInformationSequence as Record<string, unknown>[])[0]!;
        delete info.RadiopharmaceuticalStartDateTime;
        delete info.RadiopharmaceuticalStopDateTime;
      }),
    );
    expect(copy.nm!.administration!.radiopharmaceuticalStartDatetime).toBe('2022-02-24T10:48:30');
    expect(copy.nm!.administration!.radiopharmaceuticalStopDatetime).toBeNull();
  });

  it('warns when the total dose cannot be in the unit PET images use', () => {
    const copy = extracted(
      editedCopy('NM-PetIm-Siemens.dcm', (ds) => {
        (ds.RadiopharmaceuticalInformationSequence as Record<string, unknown>[])[0]!.RadionuclideTotalDose = 394;
      }),
    );
    expect(copy.nm!.administration!.administeredActivityMBq).toBe(0.000394);
    expect(copy.warnings).toEqual(['Radionuclide Total Dose 394 read as 0.000394 MBq (Bq in PET images), which is implausible: check the unit the device wrote']);
  });
});

describe('NM (SPECT) image', () => {
  it('reads the administration with the total dose already in MBq, and no PET series', () => {
    const r = extracted(corpusBytes('NM-NmIm-Siemens.dcm'));
    expect(r).toMatchObject({ modality: 'NM', sourceKind: 'nm-image' });
    expect(r.equipment.manufacturer).toBe('SIEMENS NM');
    expect(r.nm!.administration).toMatchObject({ radiopharmaceuticalAgent: null, radiopharmaceuticalAgentString: 'DPD', radionuclide: '99m Technetium', administeredActivityMBq: 764 });
    expect(r.nm!.petSeries).toEqual([]);
  });

  it('reads a large image file only up to its pixel data', async () => {
    const parsed = await readDicomFile(corpusFile('NM-NmIm-Siemens.dcm'));
    expect(parsed.bytesRead).toBeLessThan(parsed.fileSize);
    const outcome = extractFromDataset(parsed);
    expect(outcome.status === 'report' && outcome.report.nm!.administration!.administeredActivityMBq).toBe(764);
  });
});
