// Radiopharmaceutical Radiation Dose SR extraction: values of the real Siemens RRDSR, and
// unit handling on copies of it whose units were changed as other devices write them.
import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../src/dicom/read.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { extractRrdsr } from '../../src/extract/rrdsr-nm.js';
import type { DoseReport } from '../../src/report/types.js';
import { corpusBytes } from '../helpers/corpus.js';
import { editedCopy, findItem, setMeasurement, type Natural } from './nm-copies.js';

const RRDSR = 'NM-RRDSR-Siemens.dcm';

const editedRrdsr = (edit: (root: Natural) => void) => editedCopy(RRDSR, edit);

function extracted(bytes: Uint8Array): DoseReport {
  const outcome = extractFromBytes(bytes);
  if (outcome.status !== 'report') throw new Error(`not extracted: ${outcome.reason}`);
  return outcome.report;
}

describe('RRDSR extraction (Siemens Biograph Vision)', () => {
  const report = extracted(corpusBytes(RRDSR));
  const nm = report.nm!;
  const admin = nm.administration!;

  it('is an NM record read as a radiopharmaceutical dose report', () => {
    expect(report.modality).toBe('NM');
    expect(report.sourceKind).toBe('rrdsr');
    expect(report.sopInstanceUid).toBe('1.3.12.2.1107.5.1.4.11090.30000022022409484529300000027');
    expect(report.objectUidsProcessed).toEqual([report.sopInstanceUid]);
    expect(report.warnings).toBeUndefined();
  });

  it('reads study, patient and equipment from the header', () => {
    expect(report.study).toMatchObject({ studyDate: '2022-02-24', studyTime: '11:50:25.472000', accessionNumber: 'TEST123456', studyDescription: 'PET/CT Ganzkoerper FDG', referringPhysicianName: 'Kim' });
    expect(report.patient).toMatchObject({ name: 'REMOVED1', age: '063Y', sex: 'M', heightM: 1.78, weightKg: 110 });
    expect(report.equipment).toMatchObject({ manufacturer: 'SIEMENS', modelName: 'Biograph64_Vision 600_Vision 600-1208', stationName: 'CTAWP00001', institutionName: 'REMOVED', deviceSerialNumber: '11090' });
  });

  it('reads the document context', () => {
    expect(nm.associatedProcedure).toBe('PET study for localization of tumor');
    expect(nm.hasIntent).toBe('Diagnostic Intent');
    expect(nm.language).toBeNull();
    expect(nm.observers).toEqual([]);
    expect(nm.petSeries).toEqual([]);
  });

  it('reads the administration event in MBq, s and mSv', () => {
    expect(admin).toMatchObject({
      radiopharmaceuticalAgent: 'Fluorodeoxyglucose F^18^',
      radiopharmaceuticalAgentString: null,
      radionuclide: '^18^Fluorine',
      radionuclideHalfLifeS: 6586.2,
      radiopharmaceuticalAdministrationEventUid: '1.3.12.2.1107.5.1.4.11090.20220224104830.0',
      radiopharmaceuticalStartDatetime: '2022-02-24T10:40:30',
      radiopharmaceuticalStopDatetime: '2022-02-24T10:40:30',
      administeredActivityMBq: 394,
      effectiveDoseMSv: 7.486,
      routeOfAdministration: 'Intravenous route',
      siteOf: 'Via vein',
      laterality: null,
      intravenousExtravasationSymptoms: [],
      observers: [],
    });
    expect(admin.personParticipant).toMatchObject({ personName: 'Unknown', personRoleInProcedure: 'Irradiation Administering' });
  });

  it('reads every organ dose in file order with finding site, laterality and reference authority', () => {
    const organs = admin.organDoses!;
    expect(organs).toHaveLength(22);
    expect(organs[0]).toEqual({ findingSite: 'Adrenal gland', laterality: 'Right and left', organDoseMGy: 4.73, massG: null, measurementMethod: null, referenceAuthorityText: 'ICRP Publication 128', referenceAuthority: null });
    expect(organs[1]).toMatchObject({ findingSite: 'Bone Surface', laterality: null, organDoseMGy: 4.33 });
    expect(organs[8]).toMatchObject({ findingSite: 'Heart', organDoseMGy: 26.4 });
    expect(organs[21]).toMatchObject({ findingSite: 'Bladder', laterality: null, organDoseMGy: 51.22, referenceAuthorityText: 'ICRP Publication 128' });
  });

  it('reads the patient characteristics', () => {
    expect(nm.patientCharacteristics).toMatchObject({ subjectAgeYears: 63, subjectSex: 'Male', subjectSexCode: 'M', patientHeightM: 1.78, patientWeightKg: 110, glomerularFiltrationRate: null });
  });

  it('summarises one administration with its activity', () => {
    expect(report.summary).toEqual({ numberOfEvents: 1, totalAdministeredActivityMBq: 394 });
  });

  it('is a pure function of the data set', () => {
    expect(extractRrdsr(parseDicom(corpusBytes(RRDSR)).dataset)).toEqual(report);
  });
});

describe('RRDSR units', () => {
  it('converts units of the same quantity to the unit of the key and says so', () => {
    const r = extracted(
      editedRrdsr((root) => {
        setMeasurement(findItem(root, 'R-42806'), 1.8295, 'h');
        setMeasurement(findItem(root, '113507'), 0.394, 'GBq');
        setMeasurement(findItem(root, '121033'), 30, 'mo');
        setMeasurement(findItem(root, '8302-2'), 178, 'cm');
      }),
    );
    const admin = r.nm!.administration!;
    expect(admin.radionuclideHalfLifeS).toBe(6586.2);
    expect(admin.administeredActivityMBq).toBe(394);
    expect(r.summary.totalAdministeredActivityMBq).toBe(394);
    expect(r.nm!.patientCharacteristics!.subjectAgeYears).toBe(2.5);
    expect(r.nm!.patientCharacteristics!.patientHeightM).toBe(1.78);
    expect(r.warnings).toEqual([
      'Radionuclide Half Life: 1.8295 h converted to 6586.2 s',
      'Administered activity: 0.394 GBq converted to 394 MBq',
      'Subject Age: 30 mo converted to 2.5 a',
      'Patient Height: 178 cm converted to 1.78 m',
    ]);
  });

  it('refuses a unit of another quantity instead of storing a wrong dose', () => {
    const r = extracted(
      editedRrdsr((root) => {
        setMeasurement(findItem(root, '113518'), 4.73, 'mSv.cm');
        setMeasurement(findItem(root, '113507'), 10.6, 'mRutherford');
      }),
    );
    expect(r.nm!.administration!.organDoses![0]!.organDoseMGy).toBeNull();
    expect(r.nm!.administration!.administeredActivityMBq).toBeNull();
    expect(r.nm!.administration!.organDoses![1]!.organDoseMGy).toBe(4.33);
    expect(r.warnings).toEqual([
      'Administered activity: unit "mRutherford" is not a known unit; value 10.6 not stored',
      'Organ Dose: unit "mSv.cm" cannot be converted to mGy; value 4.73 not stored',
    ]);
  });

  it('converts an activity given in millicuries (US sites) to MBq', () => {
    const r = extracted(editedRrdsr((root) => setMeasurement(findItem(root, '113507'), 10.6, 'mCi')));
    expect(r.nm!.administration!.administeredActivityMBq).toBeCloseTo(392.2, 6);
    expect(r.warnings).toEqual(['Administered activity: 10.6 mCi converted to 392.2 MBq']);
  });
});

// Content items as TID 10021-10023 define them, for the parts the Siemens report leaves out.
const code = (value: string, scheme: string, meaning: string) => [{ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: meaning }];
const item = (relationship: string, valueType: string, concept: ReturnType<typeof code>, value: Record<string, unknown>, children?: Natural[]): Natural => ({
  RelationshipType: relationship,
  ValueType: valueType,
  ConceptNameCodeSequence: concept,
  ...value,
  ...(children ? { ContentSequence: children } : {}),
});
const codeItem = (rel: string, concept: ReturnType<typeof code>, value: ReturnType<typeof code>, children?: Natural[]) => item(rel, 'CODE', concept, { ConceptCodeSequence: value }, children);
const numItem = (rel: string, concept: ReturnType<typeof code>, value: number, unit: string, children?: Natural[]) =>
  item(rel, 'NUM', concept, { MeasuredValueSequence: [{ NumericValue: value, MeasurementUnitsCodeSequence: code(unit, 'UCUM', unit) }] }, children);
const textItem = (rel: string, concept: ReturnType<typeof code>, text: string, children?: Natural[]) => item(rel, 'TEXT', concept, { TextValue: text }, children);

describe('RRDSR optional content', () => {
  const r = extracted(
    editedRrdsr((root) => {
      root.ContentSequence!.unshift(codeItem('HAS CONCEPT MOD', code('121049', 'DCM', 'Language of Content Item and Descendants'), code('en', 'RFC5646', 'English'), [codeItem('HAS CONCEPT MOD', code('121046', 'DCM', 'Country of Language'), code('US', 'ISO3166_1', 'United States'))]));
      const admin = findItem(root, '113502');
      admin.ContentSequence!.push(
        numItem('CONTAINS', code('123007', 'DCM', 'Radiopharmaceutical Specific Activity'), 0.05, 'GBq/umol'),
        codeItem('CONTAINS', code('113505', 'DCM', 'Intravenous Extravasation Symptoms'), code('50415004', 'SCT', 'Swelling')),
        numItem('CONTAINS', code('113506', 'DCM', 'Estimated Extravasation Activity'), 2, '%'),
        numItem('CONTAINS', code('123005', 'DCM', 'Radiopharmaceutical Volume'), 4.5, 'ml'),
        numItem('CONTAINS', code('113508', 'DCM', 'Pre-Administration Measured Activity'), 400, 'MBq', [
          codeItem('HAS PROPERTIES', code('113540', 'DCM', 'Activity Measurement Device'), code('113541', 'DCM', 'Dose Calibrator')),
          codeItem('HAS OBS CONTEXT', code('121005', 'DCM', 'Observer Type'), code('121007', 'DCM', 'Device')),
          item('HAS OBS CONTEXT', 'UIDREF', code('121012', 'DCM', 'Device Observer UID'), { UID: '1.2.826.0.1.3680043.2.1125.1' }),
          textItem('HAS OBS CONTEXT', code('121013', 'DCM', 'Device Observer Name'), 'CAPINTEC'),
        ]),
        numItem('CONTAINS', code('113509', 'DCM', 'Post-Administration Measured Activity'), 6, 'MBq', [
          codeItem('HAS OBS CONTEXT', code('121005', 'DCM', 'Observer Type'), code('121006', 'DCM', 'Person')),
          item('HAS OBS CONTEXT', 'PNAME', code('121008', 'DCM', 'Person Observer Name'), { PersonName: [{ Alphabetic: 'Smith^Anne' }] }),
        ]),
        textItem('CONTAINS', code('111529', 'DCM', 'Brand Name'), 'Fludeoxyglucose (18F) Injection'),
        textItem('CONTAINS', code('113511', 'DCM', 'Radiopharmaceutical Dispense Unit Identifier'), 'DU-77', [textItem('HAS PROPERTIES', code('113512', 'DCM', 'Radiopharmaceutical Lot Identifier'), 'LOT-2202')]),
        textItem('CONTAINS', code('113516', 'DCM', 'Prescription Identifier'), 'RX-1'),
        codeItem('CONTAINS', code('121147', 'DCM', 'Billing Code(s)'), code('A9552', 'HCPCS', 'F-18 FDG, diagnostic')),
      );
      const characteristics = findItem(root, '121118');
      characteristics.ContentSequence!.push(
        numItem('CONTAINS', code('8277-6', 'LN', 'Body Surface Area'), 2.32, 'm2', [codeItem('INFERRED FROM', code('8278-4', 'LN', 'Body Surface Area Formula'), code('122240', 'DCM', 'BSA = 0.007184*WT^0.425*HT^0.725'))]),
        numItem('CONTAINS', code('14749-6', 'LN', 'Glucose'), 5.4, 'mmol/L'),
        numItem('CONTAINS', code('113550', 'DCM', 'Fasting Duration'), 360, 'min'),
        numItem('CONTAINS', code('113551', 'DCM', 'Hydration Volume'), 0.5, 'L'),
        textItem('CONTAINS', code('113552', 'DCM', 'Recent Physical Activity'), 'none'),
        numItem('CONTAINS', code('2160-0', 'LN', 'Serum Creatinine'), 0.9, 'mg/dL'),
        numItem('CONTAINS', code('80274001', 'SCT', 'Glomerular Filtration Rate'), 95, 'mL/min/{1.73_m2}', [codeItem('HAS CONCEPT MOD', code('370129005', 'SCT', 'Measurement Method'), code('113570', 'DCM', 'Cockroft-Gault Formula estimation of GFR'))]),
      );
    }),
  );
  const admin = r.nm!.administration!;
  const characteristics = r.nm!.patientCharacteristics!;

  it('reads the language of the report', () => {
    expect(r.nm!.language).toEqual({ languageOfContentItemAndDescendants: 'English', countryOfLanguage: 'United States' });
  });

  it('reads measured activities with their devices and observers, flagged pre or post', () => {
    expect(admin).toMatchObject({ preAdministrationMeasuredActivityMBq: 400, preActivityMeasurementDevice: 'Dose Calibrator', postAdministrationMeasuredActivityMBq: 6, postActivityMeasurementDevice: null });
    expect(admin.observers).toEqual([
      { observerType: 'Device', deviceObserverUid: '1.2.826.0.1.3680043.2.1125.1', deviceObserverName: 'CAPINTEC', radiopharmaceuticalAdministrationIsPreObserver: true },
      { observerType: 'Person', personObserverName: 'Smith^Anne', radiopharmaceuticalAdministrationIsPreObserver: false },
    ]);
  });

  it('reads extravasation, identifiers and billing, with specific activity in Bq/mmol and volume in cm3', () => {
    expect(admin).toMatchObject({
      radiopharmaceuticalSpecificActivityBqPerMmol: 5e10,
      intravenousExtravasationSymptoms: [{ symptom: 'Swelling' }],
      estimatedExtravasationActivityPercent: 2,
      radiopharmaceuticalVolumeCm3: 4.5,
      brandName: 'Fludeoxyglucose (18F) Injection',
      radiopharmaceuticalDispenseUnitIdentifier: 'DU-77',
      radiopharmaceuticalLotIdentifier: 'LOT-2202',
      prescriptionIdentifier: 'RX-1',
      billingCode: 'F-18 FDG, diagnostic',
    });
  });

  it('reads the patient characteristics in the units of the report', () => {
    expect(characteristics).toMatchObject({
      bodySurfaceAreaM2: 2.32,
      bodySurfaceAreaFormula: 'BSA = 0.007184*WT^0.425*HT^0.725',
      bodySurfaceAreaFormulaCode: '122240',
      glucoseMmolPerL: 5.4,
      fastingDurationH: 6,
      hydrationVolumeMl: 500,
      recentPhysicalActivity: 'none',
      serumCreatinineMgPerDl: 0.9,
      glomerularFiltrationRate: { glomerularFiltrationRateMlPerMinPer173M2: 95, measurementMethod: 'Cockroft-Gault Formula estimation of GFR', equivalentMeaningOfConceptName: null },
    });
  });

  it('reports each converted unit (another spelling of the same unit is no conversion)', () => {
    expect(r.warnings).toEqual([
      'Radiopharmaceutical Specific Activity: 0.05 GBq/umol converted to 50000000000 Bq/mmol',
      'Fasting Duration: 360 min converted to 6 h',
      'Hydration Volume: 0.5 L converted to 500 mL',
    ]);
  });
});
