// Radiopharmaceutical Radiation Dose SR (TID 10021) → DoseReport: the administration event
// (TID 10022) with its organ doses, the patient characteristics (TID 10023) and the
// document context. Every measured value is stored in the unit its key names, whatever
// unit the device used; a unit that cannot be converted is refused with a warning.
import type { DicomDataset } from '../dicom/dataset.js';
import { srRoot, type Measurement, type SrItem } from '../dicom/sr.js';
import { T } from '../dicom/tags.js';
import { convertMeasurement, unitLabel, type Conversion } from '../dicom/ucum.js';
import { summarise } from '../report/summary.js';
import type { DoseReport, NmAdministration, NmPatientCharacteristics, ObserverContext, OrganDose } from '../report/types.js';
import { readEquipmentInfo, readPatientInfo, readStudyInfo } from './common.js';
import { C } from './concepts.js';
import { deviceObserverUid, readObservers, readPersonParticipant } from './sr-common.js';
import { withoutFloatNoise } from '../report/float-noise.js';

/**
 * Units of NM quantities the UCUM reader does not parse (quotients, litres, calendar
 * units), each with the spellings accepted for it and their factor to that unit.
 */
const NM_UNITS: Record<string, Readonly<Record<string, number>>> = {
  'Bq/mmol': { 'Bq/mmol': 1, 'kBq/mmol': 1e3, 'MBq/mmol': 1e6, 'GBq/mmol': 1e9, 'Bq/umol': 1e3, 'kBq/umol': 1e6, 'MBq/umol': 1e9, 'GBq/umol': 1e12 },
  a: { a: 1, mo: 1 / 12, wk: 7 / 365.25, d: 1 / 365.25 },
  'kg/m2': { 'kg/m2': 1, 'kg.m-2': 1 },
  'mmol/L': { 'mmol/L': 1 },
  'mg/dL': { 'mg/dL': 1 },
  mL: { mL: 1, cm3: 1, L: 1000 },
  'mL/min/{1.73_m2}': { 'mL/min/{1.73_m2}': 1, 'mL/min/1.73m2': 1 },
};

/** The factor for a written unit: exact spelling first, then a case-insensitive match when only one spelling fits. */
function factorOf(spellings: Readonly<Record<string, number>>, written: string): number | undefined {
  const exact = spellings[written];
  if (exact !== undefined) return exact;
  const lower = written.trim().toLowerCase();
  const matches = Object.keys(spellings).filter((k) => k.toLowerCase() === lower);
  return matches.length === 1 ? spellings[matches[0]!] : undefined;
}

function convertNmUnit(m: Measurement, target: string, spellings: Readonly<Record<string, number>>): Conversion {
  if (m.value === null) return { ok: true, value: null, converted: false };
  // The template prescribes the unit, so a value without one is in it.
  if (!m.unit) return { ok: true, value: m.value, converted: false };
  for (const written of [m.unit.value, m.unit.meaning]) {
    if (!written) continue;
    const factor = factorOf(spellings, written);
    if (factor === 1) return { ok: true, value: m.value, converted: false };
    if (factor !== undefined) return { ok: true, value: withoutFloatNoise(m.value * factor), converted: true };
  }
  return { ok: false, reason: `unit "${unitLabel(m.unit)}" cannot be converted to ${target}` };
}

/** Reads NUM items into the units of the report, collecting one warning line per refused or converted value. */
class Measurements {
  readonly warnings: string[] = [];

  in(item: SrItem | null | undefined, unit: string): number | null {
    if (!item) return null;
    const m = item.measurement;
    const spellings = NM_UNITS[unit];
    const result = spellings ? convertNmUnit(m, unit, spellings) : convertMeasurement(m, unit);
    const what = item.concept?.meaning ?? 'measured value';
    if (!result.ok) {
      this.warnings.push(`${what}: ${result.reason}; value ${String(m.value)} not stored`);
      return null;
    }
    if (result.converted) this.warnings.push(`${what}: ${String(m.value)} ${unitLabel(m.unit)} converted to ${String(result.value)} ${unit}`);
    return result.value;
  }
}

/** Observers of a pre- or post-administration activity measurement, flagged with which one they observed. */
function measurementObservers(measurement: SrItem | null, isPre: boolean): ObserverContext[] {
  if (!measurement) return [];
  return readObservers(measurement).map((o) => ({ ...o, radiopharmaceuticalAdministrationIsPreObserver: isPre }));
}

function readOrganDose(container: SrItem, units: Measurements): OrganDose {
  const dose = container.child(C.OrganDose);
  const mass = container.child(C.Mass);
  const authority = dose?.child(C.ReferenceAuthority) ?? null;
  const method = mass?.child(C.MeasurementMethod) ?? null;
  return {
    findingSite: container.childCode(C.FindingSite),
    laterality: container.childCode(C.Laterality),
    organDoseMGy: units.in(dose, 'mGy'),
    massG: units.in(mass, 'g'),
    measurementMethod: method ? (method.text ?? method.codeMeaning) : null,
    // The authority is written either as text or as a code.
    referenceAuthorityText: authority?.text ?? null,
    referenceAuthority: authority?.codeMeaning ?? null,
  };
}

function readAdministration(admin: SrItem, units: Measurements): NmAdministration {
  const agent = admin.child(C.RadiopharmaceuticalAgent);
  const route = admin.child(C.RouteOfAdministration);
  const site = route?.child(C.SiteOf) ?? null;
  const dispenseUnit = admin.child(C.RadiopharmaceuticalDispenseUnitIdentifier);
  const pre = admin.child(C.PreAdministrationMeasuredActivity);
  const post = admin.child(C.PostAdministrationMeasuredActivity);
  const person = admin.child(C.PersonName);
  return {
    radiopharmaceuticalAgent: agent?.codeMeaning ?? null,
    // A device that could not code its agent writes it as text.
    radiopharmaceuticalAgentString: agent && !agent.code ? agent.text : null,
    radionuclide: agent?.childCode(C.Radionuclide) ?? null,
    radionuclideHalfLifeS: units.in(agent?.child(C.RadionuclideHalfLife), 's'),
    radiopharmaceuticalSpecificActivityBqPerMmol: units.in(admin.child(C.RadiopharmaceuticalSpecificActivity) ?? agent?.child(C.RadiopharmaceuticalSpecificActivity), 'Bq/mmol'),
    radiopharmaceuticalAdministrationEventUid: admin.childUid(C.RadiopharmaceuticalAdministrationEventUID),
    estimatedExtravasationActivityPercent: units.in(admin.child(C.EstimatedExtravasationActivity), '%'),
    intravenousExtravasationSymptoms: admin.all(C.IntravenousExtravasationSymptoms).map((s) => ({ symptom: s.codeMeaning })),
    radiopharmaceuticalStartDatetime: admin.childDateTime(C.RadiopharmaceuticalStartDateTime),
    radiopharmaceuticalStopDatetime: admin.childDateTime(C.RadiopharmaceuticalStopDateTime),
    administeredActivityMBq: units.in(admin.child(C.AdministeredActivity), 'MBq'),
    // Devices put the effective dose directly in the administration or in a container of its own.
    effectiveDoseMSv: units.in(admin.find(C.EffectiveDose), 'mSv'),
    radiopharmaceuticalVolumeCm3: units.in(admin.child(C.RadiopharmaceuticalVolume), 'mL'),
    preAdministrationMeasuredActivityMBq: units.in(pre, 'MBq'),
    preActivityMeasurementDevice: pre?.childCode(C.ActivityMeasurementDevice) ?? null,
    postAdministrationMeasuredActivityMBq: units.in(post, 'MBq'),
    postActivityMeasurementDevice: post?.childCode(C.ActivityMeasurementDevice) ?? null,
    routeOfAdministration: route?.codeMeaning ?? null,
    siteOf: site?.codeMeaning ?? null,
    laterality: site?.childCode(C.Laterality) ?? null,
    brandName: admin.childText(C.BrandName),
    radiopharmaceuticalDispenseUnitIdentifier: dispenseUnit?.text ?? null,
    radiopharmaceuticalLotIdentifier: dispenseUnit?.childText(C.RadiopharmaceuticalLotIdentifier) ?? null,
    reagentVialIdentifier: dispenseUnit?.childText(C.ReagentVialIdentifier) ?? null,
    radionuclideIdentifier: dispenseUnit?.childText(C.RadionuclideIdentifier) ?? null,
    prescriptionIdentifier: admin.childText(C.PrescriptionIdentifier),
    drugProductIdentifier: admin.childCode(C.DrugProductIdentifier),
    billingCode: admin.childCode(C.BillingCode),
    comment: admin.childText(C.Comment),
    observers: [...measurementObservers(pre, true), ...measurementObservers(post, false)],
    personParticipant: person ? readPersonParticipant(person) : null,
    organDoses: admin.all(C.OrganDoseInformation).map((o) => readOrganDose(o, units)),
  };
}

function readPatientCharacteristics(pc: SrItem, units: Measurements): NmPatientCharacteristics {
  const sex = pc.child(C.SubjectSex);
  const bsa = pc.child(C.BodySurfaceArea);
  const bsaFormula = bsa?.child(C.BodySurfaceAreaFormula) ?? null;
  const bmi = pc.child(C.BodyMassIndex);
  const equation = bmi?.child(C.Equation) ?? null;
  const gfr = pc.child(C.GlomerularFiltrationRate);
  return {
    subjectAgeYears: units.in(pc.child(C.SubjectAge), 'a'),
    subjectSex: sex?.codeMeaning ?? null,
    subjectSexCode: sex?.code?.value ?? null,
    patientHeightM: units.in(pc.child(C.PatientHeight), 'm'),
    patientWeightKg: units.in(pc.child(C.PatientWeight), 'kg'),
    bodySurfaceAreaM2: units.in(bsa, 'm2'),
    bodySurfaceAreaFormula: bsaFormula?.codeMeaning ?? null,
    bodySurfaceAreaFormulaCode: bsaFormula?.code?.value ?? null,
    bodyMassIndexKgPerM2: units.in(bmi, 'kg/m2'),
    equation: equation?.codeMeaning ?? null,
    equationCode: equation?.code?.value ?? null,
    glucoseMmolPerL: units.in(pc.child(C.Glucose), 'mmol/L'),
    fastingDurationH: units.in(pc.child(C.FastingDuration), 'h'),
    hydrationVolumeMl: units.in(pc.child(C.HydrationVolume), 'mL'),
    recentPhysicalActivity: pc.childText(C.RecentPhysicalActivity),
    serumCreatinineMgPerDl: units.in(pc.child(C.SerumCreatinine), 'mg/dL'),
    patientState: pc.childCode(C.PatientState),
    glomerularFiltrationRate: gfr
      ? {
          glomerularFiltrationRateMlPerMinPer173M2: units.in(gfr, 'mL/min/{1.73_m2}'),
          measurementMethod: gfr.childCode(C.MeasurementMethod),
          equivalentMeaningOfConceptName: gfr.childCode(C.EquivalentMeaningOfConceptName),
        }
      : null,
  };
}

export function extractRrdsr(ds: DicomDataset): DoseReport {
  const sopInstanceUid = ds.string(T.SOPInstanceUID);
  if (!sopInstanceUid) throw new Error('radiopharmaceutical dose report without a SOP Instance UID');
  const root = srRoot(ds);
  const units = new Measurements();
  const observers = readObservers(root);
  const procedure = root.child(C.AssociatedProcedure);
  const language = root.child(C.LanguageOfContent);
  const admin = root.child(C.RadiopharmaceuticalAdministration);
  const characteristics = root.child(C.PatientCharacteristics);
  const study = readStudyInfo(ds);
  const report: DoseReport = {
    modality: 'NM',
    sourceKind: 'rrdsr',
    sopInstanceUid,
    study,
    patient: readPatientInfo(ds, study.studyDate ?? null),
    equipment: { ...readEquipmentInfo(ds), deviceObserverUid: deviceObserverUid(observers) },
    summary: {},
    nm: {
      associatedProcedure: procedure?.codeMeaning ?? null,
      hasIntent: procedure?.childCode(C.HasIntent) ?? root.childCode(C.HasIntent),
      comment: root.childText(C.Comment),
      language: language ? { languageOfContentItemAndDescendants: language.codeMeaning, countryOfLanguage: language.childCode(C.CountryOfLanguage) } : null,
      observers,
      administration: admin ? readAdministration(admin, units) : null,
      patientCharacteristics: characteristics ? readPatientCharacteristics(characteristics, units) : null,
      petSeries: [],
    },
    objectUidsProcessed: [sopInstanceUid],
  };
  report.summary = summarise(report);
  if (units.warnings.length) report.warnings = units.warnings;
  return report;
}
