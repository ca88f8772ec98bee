// X-Ray Radiation Dose SR of projection X-ray and mammography (TID 10001) → DoseReport:
// accumulated dose per plane (TID 10002 with 10004, 10005 and 10007), irradiation events
// (TID 10003 with detector 10003a, source 10003b and mechanical 10003c data), observers and
// participants. Fluoroscopy (RF), radiography (DX) and mammography (MG) share the template;
// the modality is decided from the content.
import type { DicomDataset } from '../dicom/dataset.js';
import { TAG, type Code, type Concept, type Measurement, type SrItem, srRoot } from '../dicom/sr.js';
import { T } from '../dicom/tags.js';
import { convertMeasurement, unitLabel } from '../dicom/ucum.js';
import { incompleteTotals, summarise } from '../report/summary.js';
import type {
  DoseReport,
  IntegratedProjection,
  MammographyAccumulated,
  Modality,
  ObserverContext,
  ProjectionAccumulated,
  ProjectionDose,
  ProjectionEvent,
  XrayFilter,
  XrayGrid,
} from '../report/types.js';
import { readEquipmentInfo, readPatientInfo, readStudyInfo } from './common.js';
import { C } from './concepts.js';
import type { ExtractContext } from './index.js';
import { philipsCollimatedField, philipsNumberOfFrames, siemensIiDiameterMm, siemensPatientPosition } from './projection-vendor.js';
import { deviceObserverUid, measurementProblem, readDeviceParticipant, readObservers, readPersonParticipant, readProcedureReported } from './sr-common.js';
import { withoutFloatNoise } from '../report/float-noise.js';

/** Units of the DoseReport keys values are stored under. */
type Unit = 'Gy.m2' | 'Gy' | 'mGy' | 's' | 'ms' | 'mm' | 'm2' | 'mA' | 'kV' | 'uA.s' | 'deg' | 'N';

/** Non-fatal findings while reading, each reported once. */
export class Notes {
  private readonly seen = new Set<string>();

  add(note: string): void {
    this.seen.add(note);
  }

  get list(): string[] {
    return [...this.seen];
  }
}

/**
 * A measured value in `target` units. A value without units is taken to be in the unit the
 * standard prescribes for the item; a unit of another dimension, or one that cannot be read,
 * is refused (null, with a note) rather than stored wrong.
 */
function inUnit(m: Measurement, target: Unit, what: string, notes?: Notes): number | null {
  const problem = measurementProblem(m, target, what);
  if (problem) {
    notes?.add(problem.note);
    if (problem.refused) return null;
  }
  if (m.value === null) return null;
  const r = convertMeasurement(m, target);
  if (!r.ok) {
    notes?.add(`${what}: ${r.reason}; the value ${m.value} was not stored`);
    return null;
  }
  if (r.converted) notes?.add(`${what} was given in ${unitLabel(m.unit)} and converted to ${target}`);
  return r.value;
}

/** Dose area product in Gy·m², whatever unit the device wrote (dGy·cm² is common). */
export function doseAreaProductGym2(m: Measurement, notes?: Notes): number | null {
  return inUnit(m, 'Gy.m2', 'dose area product', notes);
}

/** Dose at the reference point in Gy, whatever unit the device wrote (mGy is common). */
export function doseRpGy(m: Measurement, notes?: Notes): number | null {
  return inUnit(m, 'Gy', 'dose at reference point', notes);
}

function codeOf(item: SrItem | null): Code | null {
  return item?.code ?? null;
}

/** Coded value's meaning, or the text of a vendor who wrote the value as TEXT. */
function codeOrText(item: SrItem | null): string | null {
  return item?.codeMeaning ?? item?.text ?? null;
}

/** Every value of a NUM item: a few devices put one value per pulse in one item. */
function allValues(item: SrItem): number[] {
  const mv = item.ds.item(TAG.MeasuredValueSequence);
  if (!mv) return [];
  const fp = mv.numbers(TAG.FloatingPointValue).filter((n): n is number => n !== null);
  if (fp.length > 0) return fp;
  return mv.numbers(TAG.NumericValue).filter((n): n is number => n !== null);
}

class Reader {
  constructor(readonly notes: Notes) {}

  num(parent: SrItem, concept: Concept, unit?: Unit): number | null {
    const item = parent.child(concept);
    if (!item) return null;
    return unit ? inUnit(item.measurement, unit, concept.meaning, this.notes) : item.number;
  }

  /** Values of every item of the concept, each item possibly multi-valued (per-pulse values). */
  nums(parent: SrItem, concept: Concept, unit: Unit): number[] {
    const out: number[] = [];
    for (const item of parent.all(concept)) {
      const measuredUnit = item.measurement.unit;
      for (const value of allValues(item)) {
        const v = inUnit({ value, unit: measuredUnit }, unit, concept.meaning, this.notes);
        if (v !== null) out.push(v);
      }
    }
    return out;
  }

  dap(parent: SrItem, concept: Concept): number | null {
    const item = parent.child(concept);
    return item ? doseAreaProductGym2(item.measurement, this.notes) : null;
  }

  rp(parent: SrItem, concept: Concept): number | null {
    const item = parent.child(concept);
    return item ? doseRpGy(item.measurement, this.notes) : null;
  }
}

// ------------------------------------------------------------------ accumulated (TID 10002)

function readMammography(container: SrItem, r: Reader): MammographyAccumulated[] {
  return container.all(C.AccumulatedAverageGlandularDose).map((item) => ({
    laterality: item.childCode(C.Laterality),
    accumulatedAverageGlandularDoseMGy: inUnit(item.measurement, 'mGy', 'accumulated average glandular dose', r.notes),
  }));
}

function readAccumulated(container: SrItem, r: Reader): ProjectionAccumulated {
  const refPoint = container.child(C.ReferencePointDefinition);
  const acc: ProjectionAccumulated = {
    acquisitionPlane: container.childCode(C.AcquisitionPlane),
    doseAreaProductTotalGym2: r.dap(container, C.DoseAreaProductTotal),
    doseRpTotalGy: r.rp(container, C.DoseRpTotal),
    fluoroDoseAreaProductTotalGym2: r.dap(container, C.FluoroDoseAreaProductTotal),
    fluoroDoseRpTotalGy: r.rp(container, C.FluoroDoseRpTotal),
    totalFluoroTimeS: r.num(container, C.TotalFluoroTime, 's'),
    acquisitionDoseAreaProductTotalGym2: r.dap(container, C.AcquisitionDoseAreaProductTotal),
    acquisitionDoseRpTotalGy: r.rp(container, C.AcquisitionDoseRpTotal),
    totalAcquisitionTimeS: r.num(container, C.TotalAcquisitionTime, 's'),
    totalNumberOfRadiographicFrames: r.num(container, C.TotalNumberOfRadiographicFrames),
    referencePointDefinition: codeOrText(refPoint),
    referencePointDefinitionCode: codeOf(refPoint)?.value ?? null,
  };
  const mammography = readMammography(container, r);
  if (mammography.length > 0) acc.mammography = mammography;
  // TID 10007 totals over fluoroscopy and acquisition, present when the device reports them.
  if ([C.DoseAreaProductTotal, C.DoseRpTotal, C.TotalNumberOfRadiographicFrames].some((c) => container.child(c))) {
    const integrated: IntegratedProjection = {
      doseAreaProductTotalGym2: acc.doseAreaProductTotalGym2 ?? null,
      doseRpTotalGy: acc.doseRpTotalGy ?? null,
      totalNumberOfRadiographicFrames: acc.totalNumberOfRadiographicFrames ?? null,
      referencePointDefinition: acc.referencePointDefinition ?? null,
    };
    acc.integratedProjection = integrated;
  }
  return acc;
}

// ------------------------------------------------------------ irradiation event (TID 10003)

function readFilters(event: SrItem, r: Reader): XrayFilter[] {
  return event.all(C.XrayFilters).map((f) => {
    return {
      type: f.childCode(C.XrayFilterType),
      material: f.childCode(C.XrayFilterMaterial),
      thicknessMinimumMm: r.num(f, C.XrayFilterThicknessMinimum, 'mm'),
      thicknessMaximumMm: r.num(f, C.XrayFilterThicknessMaximum, 'mm'),
    };
  });
}

function readGrids(event: SrItem): XrayGrid[] {
  return event.all(C.XrayGrid).map((g) => ({ grid: g.codeMeaning, gridCode: g.code?.value ?? null }));
}

function mean(values: readonly number[]): number | null {
  return values.length ? withoutFloatNoise(values.reduce((a, b) => a + b, 0) / values.length) : null;
}

/** One representative value of per-pulse values: the mean over the pulses that fired (non-zero). */
function representative(values: readonly number[]): number | null {
  if (values.length <= 1) return values[0] ?? null;
  return mean(values.filter((v) => v !== 0)) ?? 0;
}

/** Breast composition items: in the event, or in its Mammography CAD Breast Composition container. */
function breastCompositionItem(event: SrItem, concept: Concept): SrItem | null {
  const direct = event.child(concept);
  if (direct) return direct;
  for (const child of event.children) {
    if (child.valueType === 'CONTAINER' && /breast composition/i.test(child.concept?.meaning ?? '')) {
      const inner = child.child(concept);
      if (inner) return inner;
    }
  }
  return null;
}

function readEventIdentity(event: SrItem, documentComment: string | null): ProjectionEvent {
  const anatomy = event.child(C.AnatomicalStructure);
  const target = event.child(C.TargetRegion);
  const view = event.child(C.ImageView);
  const orientation = event.child(C.PatientOrientation);
  const tableRelationship = event.child(C.PatientTableRelationship);
  // Some devices put the modifier beside the orientation instead of inside it.
  const orientationModifier = orientation?.child(C.PatientOrientationModifier) ?? event.child(C.PatientOrientationModifier);
  const refPoint = event.child(C.ReferencePointDefinition);
  const laterality = anatomy?.child(C.Laterality) ?? target?.child(C.Laterality) ?? event.child(C.Laterality);
  const e: ProjectionEvent = {
    acquisitionPlane: event.childCode(C.AcquisitionPlane),
    irradiationEventUid: event.childUid(C.IrradiationEventUID),
    irradiationEventType: event.childCode(C.IrradiationEventType),
    irradiationEventLabel: event.childText(C.IrradiationEventLabel),
    dateTimeStarted: event.childDateTime(C.DateTimeStarted),
    acquisitionProtocol: event.childText(C.AcquisitionProtocol),
    anatomicalStructure: anatomy?.codeMeaning ?? null,
    laterality: laterality?.codeMeaning ?? null,
    viewPosition: view?.codeMeaning ?? null,
    viewModifier: view?.childCode(C.ImageViewModifier) ?? null,
    targetRegion: target?.codeMeaning ?? null,
    patientTableRelationship: tableRelationship?.codeMeaning ?? null,
    patientTableRelationshipCode: codeOf(tableRelationship)?.value ?? null,
    patientOrientation: orientation?.codeMeaning ?? null,
    patientOrientationCode: codeOf(orientation)?.value ?? null,
    patientOrientationModifier: orientationModifier?.codeMeaning ?? null,
    referencePointDefinition: codeOrText(refPoint),
    referencePointDefinitionCode: codeOf(refPoint)?.value ?? null,
    comment: event.childText(C.Comment),
  };
  // Siemens write the patient position only as XML in the document comment.
  const position = e.patientTableRelationship || e.patientOrientation ? null : siemensPatientPosition(documentComment);
  if (position) Object.assign(e, position);
  const composition = breastCompositionItem(event, C.BreastComposition);
  if (composition) e.breastComposition = codeOrText(composition);
  const fibroglandular = breastCompositionItem(event, C.PercentFibroglandularTissue);
  if (fibroglandular) e.percentFibroglandularTissue = fibroglandular.number;
  return e;
}

function readSource(event: SrItem, e: ProjectionEvent, r: Reader): void {
  const pulses = event.child(C.NumberOfPulses);
  e.doseAreaProductGym2 = r.dap(event, C.DoseAreaProduct);
  e.doseRpGy = r.rp(event, C.DoseRp);
  e.halfValueLayerMm = r.num(event, C.HalfValueLayer, 'mm');
  e.entranceExposureAtRpMGy = r.num(event, C.EntranceExposureAtRp, 'mGy');
  e.averageGlandularDoseMGy = r.num(event, C.AverageGlandularDose, 'mGy');
  e.fluoroMode = event.childCode(C.FluoroMode);
  e.pulseRateHz = r.num(event, C.PulseRate);
  e.numberOfPulses = pulses?.number ?? philipsNumberOfFrames(event);
  e.derivation = pulses?.childCode(C.Derivation) ?? null;
  e.irradiationDurationS = r.num(event, C.IrradiationDuration, 's');
  e.averageXrayTubeCurrentMa = r.num(event, C.AverageXrayTubeCurrent, 'mA');
  e.exposureTimeMs = r.num(event, C.ExposureTime, 'ms');
  e.focalSpotSizeMm = r.num(event, C.FocalSpotSize, 'mm');
  e.anodeTargetMaterial = event.childCode(C.AnodeTargetMaterial);
  e.collimatedFieldAreaM2 = r.num(event, C.CollimatedFieldArea, 'm2');
  e.collimatedFieldHeightMm = r.num(event, C.CollimatedFieldHeight, 'mm');
  e.collimatedFieldWidthMm = r.num(event, C.CollimatedFieldWidth, 'mm');
  e.filters = readFilters(event, r);
  e.grids = readGrids(event);

  const kvps = r.nums(event, C.KVP, 'kV');
  const currents = r.nums(event, C.XrayTubeCurrent, 'mA');
  const widths = r.nums(event, C.PulseWidth, 'ms');
  const exposures = r.nums(event, C.Exposure, 'uA.s');
  e.kvp = representative(kvps);
  e.xrayTubeCurrentMa = representative(currents);
  e.pulseWidthMs = representative(widths);
  e.exposureUAs = exposures.length > 1 ? withoutFloatNoise(exposures.reduce((a, b) => a + b, 0)) : (exposures[0] ?? null);
  if (kvps.length > 1) e.kvps = kvps;
  if (currents.length > 1) e.xrayTubeCurrents = currents;
  if (widths.length > 1) e.pulseWidths = widths;
  if (exposures.length > 1) e.exposures = exposures;

  // Derived only where the device left them out: total exposure time from the pulses, the
  // mean tube current over the pulses (weighted by their widths when both are per pulse).
  const averageWidth = mean(widths);
  if (e.exposureTimeMs == null && e.numberOfPulses && averageWidth !== null) e.exposureTimeMs = withoutFloatNoise(averageWidth * e.numberOfPulses);
  if (e.averageXrayTubeCurrentMa == null && currents.length > 0) {
    const totalWidth = widths.reduce((a, b) => a + b, 0);
    e.averageXrayTubeCurrentMa =
      widths.length === currents.length && currents.length > 1 && totalWidth > 0
        ? withoutFloatNoise(currents.reduce((sum, c, i) => sum + c * widths[i]!, 0) / totalWidth)
        : mean(currents);
  }
  e.iiFieldSizeMm = siemensIiDiameterMm(e.comment);
}

function readDetector(event: SrItem, e: ProjectionEvent, r: Reader): void {
  e.exposureIndex = r.num(event, C.ExposureIndex);
  e.targetExposureIndex = r.num(event, C.TargetExposureIndex);
  e.deviationIndex = r.num(event, C.DeviationIndex);
}

function readMechanical(event: SrItem, e: ProjectionEvent, r: Reader): void {
  e.crdrMechanicalConfiguration = event.childCode(C.CrDrMechanicalConfiguration);
  e.positionerPrimaryAngleDeg = r.num(event, C.PositionerPrimaryAngle, 'deg');
  e.positionerSecondaryAngleDeg = r.num(event, C.PositionerSecondaryAngle, 'deg');
  e.positionerPrimaryEndAngleDeg = r.num(event, C.PositionerPrimaryEndAngle, 'deg');
  e.positionerSecondaryEndAngleDeg = r.num(event, C.PositionerSecondaryEndAngle, 'deg');
  e.columnAngulationDeg = r.num(event, C.ColumnAngulation, 'deg');
  e.tableHeadTiltAngleDeg = r.num(event, C.TableHeadTiltAngle, 'deg');
  e.tableHorizontalRotationAngleDeg = r.num(event, C.TableHorizontalRotationAngle, 'deg');
  e.tableCradleTiltAngleDeg = r.num(event, C.TableCradleTiltAngle, 'deg');
  e.compressionThicknessMm = r.num(event, C.CompressionThickness, 'mm');
  e.compressionForceN = r.num(event, C.CompressionForce, 'N');
  e.distanceSourceToIsocenterMm = r.num(event, C.DistanceSourceToIsocenter, 'mm');
  e.distanceSourceToReferencePointMm = r.num(event, C.DistanceSourceToReferencePoint, 'mm');
  e.distanceSourceToDetectorMm = r.num(event, C.DistanceSourceToDetector, 'mm');
  e.distanceSourceToTablePlaneMm = r.num(event, C.DistanceSourceToTablePlane, 'mm');
  e.tableLongitudinalPositionMm = r.num(event, C.TableLongitudinalPosition, 'mm');
  e.tableLateralPositionMm = r.num(event, C.TableLateralPosition, 'mm');
  e.tableHeightPositionMm = r.num(event, C.TableHeightPosition, 'mm');
}

function readEvent(event: SrItem, documentComment: string | null, r: Reader): ProjectionEvent {
  const e = readEventIdentity(event, documentComment);
  readDetector(event, e, r);
  // Mechanical data first: the Philips private collimation needs the source to detector distance.
  readMechanical(event, e, r);
  readSource(event, e, r);
  const field = philipsCollimatedField(event, e.distanceSourceToDetectorMm);
  if (field) {
    e.collimatedFieldHeightMm ??= field.heightMm;
    e.collimatedFieldWidthMm ??= field.widthMm;
    e.collimatedFieldAreaM2 ??= field.areaM2;
  }
  const device = event.child(C.DeviceRoleInProcedure);
  e.deviceParticipant = device ? readDeviceParticipant(device) : null;
  e.personParticipants = event.all(C.PersonName).map(readPersonParticipant);
  return e;
}

// ------------------------------------------------------------------------------ modality

const MAMMOGRAPHY_CODES = ['P5-40010', '71651007'];

function isPositive(n: number | null | undefined): boolean {
  return typeof n === 'number' && n > 0;
}

/** Whether the record shows fluoroscopy: fluoroscopy totals, or events of type Fluoroscopy. */
function showsFluoroscopy(proj: ProjectionDose): boolean {
  return (
    proj.accumulated.some((a) => isPositive(a.fluoroDoseAreaProductTotalGym2) || isPositive(a.fluoroDoseRpTotalGy) || isPositive(a.totalFluoroTimeS)) ||
    proj.events.some((e) => /fluoroscopy/i.test(e.irradiationEventType ?? ''))
  );
}

/**
 * Mammography procedures are MG; a fluoroscopy-guided acquisition device is RF. Any other
 * record is RF when it shows fluoroscopy and DX when it does not, whether the device calls
 * itself an integrated or cassette-based radiography system (some interventional units do)
 * or names no device type at all.
 */
export function projectionModality(procedure: Code | null, proj: ProjectionDose): Extract<Modality, 'RF' | 'DX' | 'MG'> {
  if (procedure && (MAMMOGRAPHY_CODES.includes(procedure.value) || /mammograph/i.test(procedure.meaning ?? ''))) return 'MG';
  if (/fluoroscopy-guided/i.test(proj.acquisitionDeviceType ?? '')) return 'RF';
  return showsFluoroscopy(proj) ? 'RF' : 'DX';
}

// ------------------------------------------------------------------------------ observers

/**
 * Observer contexts of the document. Some consoles list every Observer Type first and all
 * the describing items after them, so the items cannot be assigned to one observer; each
 * declared observer is then described by the whole context (read as the last type declared),
 * as other systems read these files. Device observer UIDs written as TEXT are accepted.
 */
function readDocumentObservers(root: SrItem): ObserverContext[] {
  let observers = readObservers(root);
  const undescribed = observers.some((o) => Object.keys(o).length === 1 && o.observerType !== undefined);
  if (observers.length > 1 && undescribed) {
    const whole: ObserverContext = Object.assign({}, ...observers) as ObserverContext;
    observers = observers.map(() => ({ ...whole }));
  }
  const uidAsText = root.children.find((c) => c.relationship === 'HAS OBS CONTEXT' && c.is(C.DeviceObserverUID) && !c.uid)?.text;
  if (uidAsText) {
    for (const o of observers) if (!o.deviceObserverUid && o.observerType !== 'Person') o.deviceObserverUid = uidAsText;
  }
  return observers;
}

// ------------------------------------------------------------------------------- document

function readProjectionDose(root: SrItem, notes: Notes): { projection: ProjectionDose; procedure: Code | null } {
  const r = new Reader(notes);
  const { procedureReported, hasIntent } = readProcedureReported(root);
  const documentComment = root.childText(C.Comment);
  const projection: ProjectionDose = {
    procedureReported,
    hasIntent,
    acquisitionDeviceType: root.childCode(C.AcquisitionDeviceType),
    startOfXrayIrradiation: root.childDateTime(C.StartOfXrayIrradiation),
    endOfXrayIrradiation: root.childDateTime(C.EndOfXrayIrradiation),
    scopeOfAccumulation: root.childCode(C.ScopeOfAccumulation),
    sourceOfDoseInformation: root.childCode(C.SourceOfDoseInformation),
    xrayDetectorDataAvailable: root.childCode(C.XrayDetectorDataAvailable),
    xraySourceDataAvailable: root.childCode(C.XraySourceDataAvailable),
    xrayMechanicalDataAvailable: root.childCode(C.XrayMechanicalDataAvailable),
    comment: documentComment,
    observers: readDocumentObservers(root),
    accumulated: root.all(C.AccumulatedXrayDoseData).map((a) => readAccumulated(a, r)),
    events: root.all(C.IrradiationEventXrayData).map((e) => readEvent(e, documentComment, r)),
  };
  return { projection, procedure: codeOf(root.child(C.ProcedureReported)) };
}

export function extractProjectionRdsr(ds: DicomDataset, ctx: ExtractContext): DoseReport {
  const sopInstanceUid = ds.string(T.SOPInstanceUID);
  if (!sopInstanceUid) throw new Error('no SOP Instance UID (0008,0018): the object cannot be identified');
  const notes = new Notes();
  const { projection, procedure } = readProjectionDose(srRoot(ds), notes);
  const study = readStudyInfo(ds);
  const report: DoseReport = {
    modality: projectionModality(procedure, projection),
    sourceKind: ctx.enhancedSr ? 'esr' : 'rdsr',
    sopInstanceUid,
    study,
    patient: readPatientInfo(ds, study.studyDate ?? null),
    equipment: { ...readEquipmentInfo(ds), deviceObserverUid: deviceObserverUid(projection.observers ?? []) },
    summary: {},
    projection,
    objectUidsProcessed: [sopInstanceUid],
  };
  report.summary = summarise(report);
  for (const note of incompleteTotals(report)) notes.add(note);
  if (notes.list.length) report.warnings = notes.list;
  return report;
}
