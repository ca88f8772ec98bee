// What radiography (DX, CR, PX) and mammography image headers have in common: one image is
// one irradiation event, read from the X-Ray Acquisition, DX Detector, Positioning and
// related modules; the document-level record is the one the reference system writes for
// dose "copied from image attributes". Header values carry fixed units (DICOM PS3.3), which
// are stated here once.
import type { DicomDataset } from '../dicom/dataset.js';
import { readCode } from '../dicom/sr.js';
import { T } from '../dicom/tags.js';
import { convertMeasurement } from '../dicom/ucum.js';
import { parseDecimal, splitValues, trimValue } from '../dicom/values.js';
import { summarise } from '../report/summary.js';
import type { DoseReport, Modality, ProjectionAccumulated, ProjectionDose, ProjectionEvent, SourceKind, XrayFilter, XrayGrid } from '../report/types.js';
import { readEquipmentInfo, readPatientInfo, readStudyInfo } from './common.js';
import { withoutFloatNoise } from '../report/float-noise.js';

/** Header attributes of X-ray images, by keyword. */
export const XT = {
  IrradiationEventUID: 'x00083010',
  AnatomicRegionSequence: 'x00082218',
  ImageComments: 'x00204000',
  KVP: 'x00180060',
  DistanceSourceToDetector: 'x00181110',
  DistanceSourceToPatient: 'x00181111',
  EstimatedRadiographicMagnificationFactor: 'x00181114',
  TableHeight: 'x00181130',
  FieldOfViewShape: 'x00181147',
  FieldOfViewDimensions: 'x00181149',
  ExposureTime: 'x00181150',
  XRayTubeCurrent: 'x00181151',
  Exposure: 'x00181152',
  ExposureInuAs: 'x00181153',
  ImageAndFluoroscopyAreaDoseProduct: 'x0018115e',
  FilterType: 'x00181160',
  Grid: 'x00181166',
  FocalSpots: 'x00181190',
  AnodeTargetMaterial: 'x00181191',
  BodyPartThickness: 'x001811a0',
  CompressionForce: 'x001811a2',
  RelativeXRayExposure: 'x00181405',
  ExposureIndex: 'x00181411',
  TargetExposureIndex: 'x00181412',
  DeviationIndex: 'x00181413',
  ColumnAngulation: 'x00181450',
  PositionerPrimaryAngle: 'x00181510',
  PositionerSecondaryAngle: 'x00181511',
  ViewPosition: 'x00185101',
  Sensitivity: 'x00186000',
  GridFocalDistance: 'x0018704c',
  FilterMaterial: 'x00187050',
  FilterThicknessMinimum: 'x00187052',
  FilterThicknessMaximum: 'x00187054',
  ExposureControlModeDescription: 'x00187062',
  ExposureTimeInuS: 'x00188150',
  XRayTubeCurrentInuA: 'x00188151',
  ExposureTimeInms: 'x00189328',
  XRayTubeCurrentInmA: 'x00189330',
  ExposureInmAs: 'x00189332',
  DistanceSourceToIsocenter: 'x00189402',
  Laterality: 'x00200060',
  ImageLaterality: 'x00200062',
  EntranceDose: 'x00400302',
  DistanceSourceToEntrance: 'x00400306',
  CommentsOnRadiationDose: 'x00400310',
  HalfValueLayer: 'x00400314',
  OrganDose: 'x00400316',
  EntranceDoseInmGy: 'x00408302',
  PerformedProtocolCodeSequence: 'x00400260',
  ViewCodeSequence: 'x00540220',
} as const;

/** A header value in `to` units, given the unit the standard fixes for the attribute. */
export function inUnit(value: number | null, from: string, to: string): number | null {
  if (value === null) return null;
  const r = convertMeasurement({ value, unit: { value: from, scheme: 'UCUM', meaning: null } }, to);
  if (!r.ok) throw new Error(`cannot convert ${from} to ${to}: ${r.reason}`);
  return r.value;
}

// ------------------------------------------------------------------ coded values

interface CodedTerm {
  code: string;
  meaning: string;
}

/** Filter and anode materials (CID 10006 / CID 10016) by the defined terms headers use. */
const MATERIALS: Record<string, CodedTerm> = {
  MOLYBDENUM: { code: 'C-150F9', meaning: 'Molybdenum or Molybdenum compound' },
  RHODIUM: { code: 'C-167F9', meaning: 'Rhodium or Rhodium compound' },
  SILVER: { code: 'C-137F9', meaning: 'Silver or Silver compound' },
  ALUMINUM: { code: 'C-120F9', meaning: 'Aluminum or Aluminum compound' },
  // The British spelling is not a defined term, but some consoles write it.
  ALUMINIUM: { code: 'C-120F9', meaning: 'Aluminum or Aluminum compound' },
  COPPER: { code: 'C-127F9', meaning: 'Copper or Copper compound' },
  NIOBIUM: { code: 'C-1190E', meaning: 'Niobium or Niobium compound' },
  EUROPIUM: { code: 'C-1190F', meaning: 'Europium or Europium compound' },
  LEAD: { code: 'C-132F9', meaning: 'Lead or Lead compound' },
  TANTALUM: { code: 'C-156F9', meaning: 'Tantalum or Tantalum compound' },
  TUNGSTEN: { code: 'C-164F9', meaning: 'Tungsten or Tungsten compound' },
};

/** Coded meaning of a material as a header writes it; a material without a code is kept as written. */
export function materialMeaning(written: string | null): string | null {
  if (written === null) return null;
  const t = trimValue(written);
  if (t === '') return null;
  return MATERIALS[t.toUpperCase()]?.meaning ?? t;
}

const FILTER_TYPES: Record<string, string> = {
  STRIP: 'Strip filter',
  WEDGE: 'Wedge filter',
  BUTTERFLY: 'Butterfly filter',
  FLAT: 'Flat filter',
  NONE: 'No filter',
};

/** Grid types (CID 10017) by the defined terms of Grid (0018,1166); consoles abbreviate them to fit two in 16 characters. */
const GRIDS: [string, XrayGrid][] = [
  ['FIXED', { grid: 'Fixed grid', gridCode: '111641' }],
  ['FOCUSED', { grid: 'Focused grid', gridCode: '111642' }],
  ['RECIPROCATING', { grid: 'Reciprocating grid', gridCode: '111643' }],
  ['PARALLEL', { grid: 'Parallel grid', gridCode: '111644' }],
  ['CROSSED', { grid: 'Crossed grid', gridCode: '111645' }],
  ['NONE', { grid: 'No grid', gridCode: '111646' }],
];

/** Grids of Grid (0018,1166), one per value, in the order written; abbreviations are read as the term they begin. */
export function parseGrids(values: readonly string[]): XrayGrid[] {
  const out: XrayGrid[] = [];
  for (const raw of values) {
    const v = raw.trim().toUpperCase();
    if (v.length < 2) continue;
    const hit = GRIDS.find(([term]) => term.startsWith(v) || v.startsWith(term));
    if (hit && !out.some((g) => g.gridCode === hit[1].gridCode)) out.push({ ...hit[1] });
  }
  return out;
}

// ------------------------------------------------------------------------ filters

/** Filter attributes as written in the header (multi-valued text with backslashes kept). */
export interface FilterHeader {
  type: string | null;
  material: string | null;
  thicknessMinimum: string | null;
  thicknessMaximum: string | null;
}

/**
 * Components of a multi-valued attribute. Some consoles separate values with commas (not
 * allowed in CS or DS); a single component is split at commas only when `expected` (> 1)
 * values are due, so a lone decimal comma ("1,5") stays one number.
 */
function components(text: string | null, expected: number): string[] {
  if (text === null) return [];
  const parts = splitValues(text).filter((p) => p !== '');
  if (parts.length === 1 && expected > 1) {
    const byComma = parts[0]!.split(',').map(trimValue);
    if (byComma.length === expected) return byComma;
  }
  return parts;
}

/** Filters written as a type with a thickness of copper or aluminium in the type ("CU_0.1_MM"). */
const TYPE_WITH_THICKNESS = /^(CU|AL)_(\d+(?:[.,]\d+)?)_MM$/;

/**
 * The X-ray filters a header describes: one filter per material, thicknesses matched by
 * position, minimum and maximum put in order, the material as its coded meaning. An
 * explicit "NONE" type is recorded as "No filter"; no material and no type, no filter.
 */
export function parseFilters(h: FilterHeader): XrayFilter[] {
  const typeText = h.type === null ? null : trimValue(h.type).toUpperCase();
  if (typeText === 'NONE') return [{ type: FILTER_TYPES.NONE }];
  const inType = typeText ? TYPE_WITH_THICKNESS.exec(typeText) : null;
  const materials = components(h.material, 2);
  if (materials.length === 0 && inType) {
    const thickness = parseDecimal(inType[2]!);
    return [{ type: FILTER_TYPES.FLAT, material: materialMeaning(inType[1] === 'CU' ? 'COPPER' : 'ALUMINUM'), thicknessMinimumMm: thickness, thicknessMaximumMm: thickness }];
  }
  if (materials.length === 0) return [];
  const mins = components(h.thicknessMinimum, materials.length).map(parseDecimal);
  const maxs = components(h.thicknessMaximum, materials.length).map(parseDecimal);
  const type = typeText ? (FILTER_TYPES[typeText] ?? null) : null;
  return materials.map((material, i) => {
    let min = mins[i] ?? null;
    let max = maxs[i] ?? null;
    if (min !== null && max !== null && min > max) [min, max] = [max, min];
    return { type, material: materialMeaning(material), thicknessMinimumMm: min, thicknessMaximumMm: max };
  });
}

export function readFilterHeader(ds: DicomDataset): FilterHeader {
  return {
    type: ds.text(XT.FilterType),
    material: ds.text(XT.FilterMaterial),
    thicknessMinimum: ds.text(XT.FilterThicknessMinimum),
    thicknessMaximum: ds.text(XT.FilterThicknessMaximum),
  };
}

// -------------------------------------------------------------------------- event

const LATERALITY: Record<string, string> = { R: 'Right', L: 'Left', B: 'Both' };

/** Image laterality, else the laterality of the series. */
export function readLaterality(ds: DicomDataset): string | null {
  const v = (ds.string(XT.ImageLaterality) ?? ds.string(XT.Laterality) ?? '').toUpperCase();
  return LATERALITY[v] ?? null;
}

/** View codes (CID 4010 / CID 4014) for the View Position defined terms. */
const VIEWS: Record<string, string> = {
  AP: 'antero-posterior',
  PA: 'postero-anterior',
  LL: 'left lateral',
  RL: 'right lateral',
  CC: 'cranio-caudal',
  MLO: 'medio-lateral oblique',
  ML: 'medio-lateral',
  LM: 'latero-medial',
  XCC: 'cranio-caudal exaggerated',
  FB: 'caudo-cranial (from below)',
  LMO: 'latero-medial oblique',
  SIO: 'superolateral to inferomedial oblique',
};

/** The coded view, else the View Position term as its code meaning. */
export function readView(ds: DicomDataset): string | null {
  const coded = readCode(ds.item(XT.ViewCodeSequence))?.meaning ?? null;
  if (coded) return coded;
  const position = ds.string(XT.ViewPosition);
  return position ? (VIEWS[position.toUpperCase()] ?? null) : null;
}

/**
 * When the exposure was made: Acquisition DateTime, else the acquisition (or content) date
 * and time. The study's date and time are not the exposure's: images that had only those
 * would all seem made at one moment, and be taken for copies of one exposure. Null when the
 * image does not say.
 */
export function readEventStart(ds: DicomDataset): string | null {
  const dt = ds.dateTime(T.AcquisitionDateTime);
  if (dt) return dt;
  const date = ds.date(T.AcquisitionDate) ?? ds.date(T.ContentDate);
  const time = ds.time(T.AcquisitionTime) ?? ds.time(T.ContentTime);
  return date && time ? `${date}T${time}` : null;
}

/** Collimated field from the field of view: height × width of a rectangle, or a circle's diameter. */
function readField(ds: DicomDataset): Pick<ProjectionEvent, 'collimatedFieldAreaM2' | 'collimatedFieldHeightMm' | 'collimatedFieldWidthMm'> {
  const dims = ds.numbers(XT.FieldOfViewDimensions);
  const shape = (ds.string(XT.FieldOfViewShape) ?? '').toUpperCase();
  const [a, b] = dims;
  if (typeof a === 'number' && typeof b === 'number') {
    return { collimatedFieldHeightMm: a, collimatedFieldWidthMm: b, collimatedFieldAreaM2: (a * b) / 1e6 };
  }
  if (typeof a === 'number' && shape === 'ROUND') return { collimatedFieldAreaM2: (Math.PI * (a / 2) ** 2) / 1e6 };
  return {};
}

/** Exposure in µAs: the µAs attribute, else the mAs ones. */
function readExposureUAs(ds: DicomDataset): number | null {
  return ds.number(XT.ExposureInuAs) ?? inUnit(ds.number(XT.ExposureInmAs) ?? ds.number(XT.Exposure), 'mA.s', 'uA.s');
}

function readTubeCurrentMa(ds: DicomDataset): number | null {
  return ds.number(XT.XRayTubeCurrent) ?? ds.number(XT.XRayTubeCurrentInmA) ?? inUnit(ds.number(XT.XRayTubeCurrentInuA), 'uA', 'mA');
}

function readExposureTimeMs(ds: DicomDataset): number | null {
  return ds.number(XT.ExposureTime) ?? ds.number(XT.ExposureTimeInms) ?? inUnit(ds.number(XT.ExposureTimeInuS), 'us', 'ms');
}

/** Percent fibroglandular tissue, which some mammography units write as "31 %" in Comments on Radiation Dose. */
export function readPercentFibroglandular(ds: DicomDataset): number | null {
  const comment = ds.text(XT.CommentsOnRadiationDose);
  const m = comment ? /^\s*(\d+(?:[.,]\d+)?)\s*%\s*$/.exec(comment) : null;
  return m ? parseDecimal(m[1]!) : null;
}

/** The irradiation event an image records: identity, source, detector and geometry. */
export function readImageEvent(ds: DicomDataset): ProjectionEvent {
  const anatomy = readCode(ds.item(XT.AnatomicRegionSequence))?.meaning ?? null;
  const current = readTubeCurrentMa(ds);
  return {
    acquisitionPlane: 'Single Plane',
    // The object's own UID when it names no irradiation event: one image, one exposure.
    irradiationEventUid: ds.string(XT.IrradiationEventUID) ?? ds.string(T.SOPInstanceUID),
    irradiationEventType: 'Stationary Acquisition',
    dateTimeStarted: readEventStart(ds),
    acquisitionProtocol: ds.text(T.ProtocolName) ?? ds.text(T.SeriesDescription) ?? readCode(ds.item(XT.PerformedProtocolCodeSequence))?.meaning ?? null,
    anatomicalStructure: anatomy,
    targetRegion: anatomy,
    laterality: readLaterality(ds),
    viewPosition: readView(ds),
    entranceExposureAtRpMGy: nonNegativeOrNull(ds.number(XT.EntranceDoseInmGy)) ?? positiveOrNull(inUnit(ds.number(XT.EntranceDose), 'dGy', 'mGy')),
    halfValueLayerMm: ds.number(XT.HalfValueLayer),
    percentFibroglandularTissue: readPercentFibroglandular(ds),
    kvp: ds.number(XT.KVP),
    exposureUAs: readExposureUAs(ds),
    averageXrayTubeCurrentMa: current,
    xrayTubeCurrentMa: current,
    exposureTimeMs: readExposureTimeMs(ds),
    focalSpotSizeMm: ds.number(XT.FocalSpots),
    anodeTargetMaterial: materialMeaning(ds.string(XT.AnodeTargetMaterial)),
    ...readField(ds),
    gridFocalDistanceMm: ds.number(XT.GridFocalDistance),
    grids: parseGrids(ds.texts(XT.Grid)),
    filters: parseFilters(readFilterHeader(ds)),
    exposureIndex: ds.number(XT.ExposureIndex),
    targetExposureIndex: ds.number(XT.TargetExposureIndex),
    deviationIndex: ds.number(XT.DeviationIndex),
    relativeXrayExposure: ds.number(XT.RelativeXRayExposure),
    sensitivity: ds.number(XT.Sensitivity),
    magnificationFactor: ds.number(XT.EstimatedRadiographicMagnificationFactor),
    positionerPrimaryAngleDeg: ds.number(XT.PositionerPrimaryAngle),
    positionerSecondaryAngleDeg: ds.number(XT.PositionerSecondaryAngle),
    columnAngulationDeg: ds.number(XT.ColumnAngulation),
    distanceSourceToDetectorMm: ds.number(XT.DistanceSourceToDetector),
    distanceSourceToEntranceSurfaceMm: ds.number(XT.DistanceSourceToEntrance) ?? ds.number(XT.DistanceSourceToPatient),
    distanceSourceToIsocenterMm: ds.number(XT.DistanceSourceToIsocenter),
    tableHeightMm: ds.number(XT.TableHeight),
  };
}

/** A dose a header gives as negative cannot be: refused, with a warning for the report to carry. */
export function nonNegativeDose(value: number | null, what: string, warnings: string[]): number | null {
  if (value === null || value >= 0) return value;
  warnings.push(`${what}: ${value} is negative, which it cannot be; it was not stored`);
  return null;
}

function nonNegativeOrNull(n: number | null): number | null {
  return n !== null && n >= 0 ? n : null;
}

/** An unset dose (zero) written where the device has none. */
function positiveOrNull(n: number | null): number | null {
  return n !== null && n > 0 ? n : null;
}

// ----------------------------------------------------------------------- document

function sum(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return present.length ? withoutFloatNoise(present.reduce((a, b) => a + b, 0)) : null;
}

const BREASTS: Record<string, string> = { Right: 'Right breast', Left: 'Left breast', Both: 'Both breasts' };

/**
 * Accumulated dose of a study built from images, derived from its events: per breast for
 * mammography (TID 10005), the dose area product and number of frames otherwise (TID 10007).
 * Recomputed whenever an image adds an event.
 */
export function imageAccumulated(modality: Modality, events: readonly ProjectionEvent[]): ProjectionAccumulated[] {
  if (modality === 'MG') {
    const mammography = Object.entries(BREASTS)
      .map(([side, breast]) => ({ laterality: breast, accumulatedAverageGlandularDoseMGy: sum(events.filter((e) => e.laterality === side).map((e) => e.averageGlandularDoseMGy)) }))
      .filter((m) => m.accumulatedAverageGlandularDoseMGy !== null);
    return [{ acquisitionPlane: 'Single Plane', mammography }];
  }
  const dap = sum(events.map((e) => e.doseAreaProductGym2));
  return [
    {
      acquisitionPlane: 'Single Plane',
      doseAreaProductTotalGym2: dap,
      totalNumberOfRadiographicFrames: events.length,
      integratedProjection: { doseAreaProductTotalGym2: dap, totalNumberOfRadiographicFrames: events.length },
    },
  ];
}

const PROCEDURE: Partial<Record<Modality, string>> = { MG: 'Mammography', DX: 'Projection X-Ray' };

function imageProjectionDose(modality: Modality, event: ProjectionEvent): ProjectionDose {
  const detector = [event.exposureIndex, event.targetExposureIndex, event.deviationIndex, event.relativeXrayExposure, event.sensitivity].some((v) => v != null);
  return {
    procedureReported: PROCEDURE[modality] ?? null,
    hasIntent: 'Diagnostic Intent',
    scopeOfAccumulation: 'Study',
    sourceOfDoseInformation: 'Copied From Image Attributes',
    xrayDetectorDataAvailable: detector ? 'Yes' : 'No',
    xraySourceDataAvailable: 'Yes',
    xrayMechanicalDataAvailable: 'Yes',
    accumulated: imageAccumulated(modality, [event]),
    events: [event],
  };
}

/** The report of one image: study, patient and equipment from the header, one event. */
export function imageReport(ds: DicomDataset, modality: Extract<Modality, 'DX' | 'MG'>, sourceKind: Extract<SourceKind, 'dx-image' | 'mg-image'>, event: ProjectionEvent): DoseReport {
  const sopInstanceUid = ds.string(T.SOPInstanceUID);
  if (!sopInstanceUid) throw new Error('no SOP Instance UID (0008,0018): the image cannot be identified');
  const study = readStudyInfo(ds);
  // Image headers have no procedure code as RDSRs do; the protocol stands for it, as the reference system records it.
  study.procedureCode ??= ds.text(T.ProtocolName) ?? study.studyDescription ?? ds.text(T.SeriesDescription);
  const report: DoseReport = {
    modality,
    sourceKind,
    sopInstanceUid,
    study,
    patient: readPatientInfo(ds, study.studyDate ?? null),
    equipment: readEquipmentInfo(ds),
    summary: {},
    projection: imageProjectionDose(modality, event),
    objectUidsProcessed: [sopInstanceUid],
  };
  report.summary = summarise(report);
  return report;
}
