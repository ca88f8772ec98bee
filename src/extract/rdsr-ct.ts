// CT Radiation Dose SR (TID 10011) → DoseReport. GE's Enhanced SRs carrying CT dose have the
// same content tree and are read here too. Devices differ in what they put where: items are
// looked for in their template's container first and then where vendors have been seen to
// misplace them, and every measured value is brought to the unit its key names.
import type { DicomDataset } from '../dicom/dataset.js';
import { codeMatches, srRoot, type Concept, type SrItem } from '../dicom/sr.js';
import { T } from '../dicom/tags.js';
import { convertMeasurement, unitLabel } from '../dicom/ucum.js';
import { incompleteTotals, summarise } from '../report/summary.js';
import type { CtDose, CtDoseCheck, CtEvent, CtXraySource, DoseReport } from '../report/types.js';
import { readEquipmentInfo, readPatientInfo, readStudyInfo } from './common.js';
import { C } from './concepts.js';
import type { ExtractContext } from './index.js';
import { deviceObserverUid, measurementProblem, readDeviceParticipant, readObservers, readPersonParticipant, readProcedureReported } from './sr-common.js';

/** Measured values in the unit their key names; conversions and refusals become warnings. */
class Quantities {
  private readonly notes = new Set<string>();

  get warnings(): string[] {
    return [...this.notes];
  }

  read(item: SrItem | null, unit: string, what: string): number | null {
    if (!item) return null;
    const m = item.measurement;
    const problem = measurementProblem(m, unit, what);
    if (problem) {
      this.notes.add(problem.note);
      if (problem.refused) return null;
    }
    const result = convertMeasurement(m, unit);
    if (!result.ok) {
      this.notes.add(`${what}: ${result.reason}; the value was not stored`);
      return null;
    }
    if (result.converted) this.notes.add(`${what}: given in ${unitLabel(m.unit)}, converted to ${unit}`);
    return result.value;
  }
}

/** Yes/No coded answer; null when absent or neither. */
function yesNo(item: SrItem | null): boolean | null {
  const code = item?.code ?? null;
  if (codeMatches(code, C.Yes)) return true;
  if (codeMatches(code, C.No)) return false;
  return null;
}

/** A coded value, or the text some devices write in its place. */
function codeOrText(item: SrItem | null): string | null {
  return item ? (item.codeMeaning ?? item.text) : null;
}

/** Several Source of Dose Information items are allowed; their meanings are joined. */
function joinMeanings(items: SrItem[]): string | null {
  const meanings = [...new Set(items.map((i) => i.codeMeaning).filter((m): m is string => !!m))];
  return meanings.length ? meanings.join(' | ') : null;
}

/** Siemens write the modulation type only inside the event comment ("…, X-ray Modulation Type = XYZ_EC"). */
function modulationFromComment(comment: string | null): string | null {
  const m = comment ? /X-?ray Modulation Type\s*=\s*([^,]*)/i.exec(comment) : null;
  const value = m?.[1]?.trim();
  return value ? value : null;
}

/** Sources ordered by their identification (tube A before tube B, 1 before 2); unnamed ones last. */
function byIdentification(a: CtXraySource, b: CtXraySource): number {
  const x = a.identificationOfTheXraySource ?? null;
  const y = b.identificationOfTheXraySource ?? null;
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  return x.localeCompare(y, 'en', { numeric: true, sensitivity: 'base' });
}

function readSource(container: SrItem, q: Quantities): CtXraySource {
  return {
    identificationOfTheXraySource: container.childText(C.IdentificationOfTheXraySource),
    kvp: q.read(container.child(C.KVP), 'kV', 'KVP'),
    maximumXrayTubeCurrentMa: q.read(container.child(C.MaximumXrayTubeCurrent), 'mA', 'Maximum X-Ray Tube Current'),
    xrayTubeCurrentMa: q.read(container.child(C.XrayTubeCurrent), 'mA', 'X-Ray Tube Current'),
    exposureTimePerRotationS: q.read(container.child(C.ExposureTimePerRotation), 's', 'Exposure Time per Rotation'),
    xrayFilterAluminumEquivalentMm: q.read(container.child(C.XrayFilterAluminumEquivalent), 'mm', 'X-Ray Filter Aluminum Equivalent'),
  };
}

/**
 * X-ray source parameters of an event. Without a source container, source items written
 * straight into the acquisition parameters still describe the one tube.
 */
function readSources(params: SrItem | null, event: SrItem, q: Quantities): CtXraySource[] {
  let containers = params?.all(C.CtXraySourceParameters) ?? [];
  if (containers.length === 0) containers = event.all(C.CtXraySourceParameters);
  if (containers.length === 0 && params && (params.child(C.KVP) || params.child(C.XrayTubeCurrent))) containers = [params];
  return containers.map((c) => readSource(c, q)).sort(byIdentification);
}

/** TID 10015: alert and notification details, either of which may come alone. */
function readDoseCheck(alert: SrItem | null, notification: SrItem | null, q: Quantities): CtDoseCheck | null {
  if (!alert && !notification) return null;
  const alertPerson = alert?.child(C.PersonName) ?? null;
  const notificationPerson = notification?.child(C.PersonName) ?? null;
  return {
    dlpAlertValueConfigured: yesNo(alert?.child(C.DlpAlertValueConfigured) ?? null),
    ctdivolAlertValueConfigured: yesNo(alert?.child(C.CtdivolAlertValueConfigured) ?? null),
    dlpAlertValueMGyCm: q.read(alert?.child(C.DlpAlertValue) ?? null, 'mGy.cm', 'DLP Alert Value'),
    ctdivolAlertValueMGy: q.read(alert?.child(C.CtdivolAlertValue) ?? null, 'mGy', 'CTDIvol Alert Value'),
    accumulatedDlpForwardEstimateMGyCm: q.read(alert?.child(C.AccumulatedDlpForwardEstimate) ?? null, 'mGy.cm', 'Accumulated DLP Forward Estimate'),
    accumulatedCtdivolForwardEstimateMGy: q.read(alert?.child(C.AccumulatedCtdivolForwardEstimate) ?? null, 'mGy', 'Accumulated CTDIvol Forward Estimate'),
    alertReasonForProceeding: alert?.childText(C.ReasonForProceeding) ?? null,
    alertPersonParticipant: alertPerson ? readPersonParticipant(alertPerson) : null,
    dlpNotificationValueConfigured: yesNo(notification?.child(C.DlpNotificationValueConfigured) ?? null),
    ctdivolNotificationValueConfigured: yesNo(notification?.child(C.CtdivolNotificationValueConfigured) ?? null),
    dlpNotificationValueMGyCm: q.read(notification?.child(C.DlpNotificationValue) ?? null, 'mGy.cm', 'DLP Notification Value'),
    ctdivolNotificationValueMGy: q.read(notification?.child(C.CtdivolNotificationValue) ?? null, 'mGy', 'CTDIvol Notification Value'),
    dlpForwardEstimateMGyCm: q.read(notification?.child(C.DlpForwardEstimate) ?? null, 'mGy.cm', 'DLP Forward Estimate'),
    ctdivolForwardEstimateMGy: q.read(notification?.child(C.CtdivolForwardEstimate) ?? null, 'mGy', 'CTDIvol Forward Estimate'),
    notificationReasonForProceeding: notification?.childText(C.ReasonForProceeding) ?? null,
    notificationPersonParticipant: notificationPerson ? readPersonParticipant(notificationPerson) : null,
  };
}

/** TID 10013 CT Irradiation Event Data. */
function readEvent(event: SrItem, q: Quantities): CtEvent {
  const params = event.child(C.CtAcquisitionParameters);
  const dose = event.child(C.CtDose);
  // Items of the parameter and dose containers are also accepted directly in the event.
  const param = (concept: Concept): SrItem | null => params?.child(concept) ?? event.child(concept);
  const doseItem = (concept: Concept): SrItem | null => dose?.child(concept) ?? event.child(concept);
  const comment = event.childText(C.Comment);
  const deviceRole = event.child(C.DeviceRoleInProcedure);
  return {
    acquisitionProtocol: event.childText(C.AcquisitionProtocol),
    targetRegion: event.childCode(C.TargetRegion),
    acquisitionType: event.childCode(C.CtAcquisitionType),
    procedureContext: event.childCode(C.ProcedureContext),
    irradiationEventUid: event.childUid(C.IrradiationEventUID),
    irradiationEventLabel: event.childText(C.IrradiationEventLabel),
    dateTimeStarted: event.childDateTime(C.DateTimeStarted),
    exposureTimeS: q.read(param(C.ExposureTime), 's', 'Exposure Time'),
    scanningLengthMm: q.read(param(C.ScanningLength), 'mm', 'Scanning Length'),
    lengthOfReconstructableVolumeMm: q.read(param(C.LengthOfReconstructableVolume), 'mm', 'Length of Reconstructable Volume'),
    exposedRangeMm: q.read(param(C.ExposedRange), 'mm', 'Exposed Range'),
    topZLocationOfReconstructableVolumeMm: q.read(param(C.TopZLocationOfReconstructableVolume), 'mm', 'Top Z Location of Reconstructable Volume'),
    bottomZLocationOfReconstructableVolumeMm: q.read(param(C.BottomZLocationOfReconstructableVolume), 'mm', 'Bottom Z Location of Reconstructable Volume'),
    topZLocationOfScanningLengthMm: q.read(param(C.TopZLocationOfScanningLength), 'mm', 'Top Z Location of Scanning Length'),
    bottomZLocationOfScanningLengthMm: q.read(param(C.BottomZLocationOfScanningLength), 'mm', 'Bottom Z Location of Scanning Length'),
    frameOfReferenceUid: param(C.FrameOfReferenceUID)?.uid ?? null,
    nominalSingleCollimationWidthMm: q.read(param(C.NominalSingleCollimationWidth), 'mm', 'Nominal Single Collimation Width'),
    nominalTotalCollimationWidthMm: q.read(param(C.NominalTotalCollimationWidth), 'mm', 'Nominal Total Collimation Width'),
    pitchFactor: param(C.PitchFactor)?.number ?? null,
    numberOfXraySources: param(C.NumberOfXraySources)?.number ?? null,
    sources: readSources(params, event, q),
    meanCtdiVolMGy: q.read(doseItem(C.MeanCtdiVol), 'mGy', 'Mean CTDIvol'),
    ctdiwPhantomType: doseItem(C.CtdiwPhantomType)?.codeMeaning ?? null,
    // mGy/mAs, a ratio UCUM cannot express without division: stored as written.
    ctdiFreeAirCalculationFactor: doseItem(C.CtdiFreeAirCalculationFactor)?.number ?? null,
    meanCtdiFreeAirMGy: q.read(doseItem(C.MeanCtdiFreeAir), 'mGy', 'Mean CTDIfreeair'),
    dlpMGyCm: q.read(doseItem(C.Dlp), 'mGy.cm', 'DLP'),
    effectiveDoseMSv: q.read(doseItem(C.EffectiveDose), 'mSv', 'Effective Dose'),
    sizeSpecificDoseEstimationMGy: q.read(doseItem(C.SizeSpecificDoseEstimation) ?? event.find(C.SizeSpecificDoseEstimation), 'mGy', 'Size Specific Dose Estimation'),
    xrayModulationType: codeOrText(event.child(C.XrayModulationType)) ?? modulationFromComment(comment),
    comment,
    deviceParticipant: deviceRole ? readDeviceParticipant(deviceRole) : null,
    personParticipants: event.all(C.PersonName).map(readPersonParticipant),
    doseCheck: readDoseCheck(doseItem(C.DoseCheckAlertDetails), doseItem(C.DoseCheckNotificationDetails), q),
  };
}

function readCtDose(root: SrItem, q: Quantities): CtDose {
  const accumulated = root.child(C.CtAccumulatedDoseData);
  return {
    ...readProcedureReported(root),
    startOfXrayIrradiation: root.childDateTime(C.StartOfXrayIrradiation),
    endOfXrayIrradiation: root.childDateTime(C.EndOfXrayIrradiation),
    scopeOfAccumulation: root.childCode(C.ScopeOfAccumulation),
    sourceOfDoseInformation: joinMeanings(root.all(C.SourceOfDoseInformation)),
    comment: root.childText(C.Comment) ?? accumulated?.childText(C.Comment) ?? null,
    observers: readObservers(root),
    personParticipants: root.all(C.PersonName).map(readPersonParticipant),
    totalNumberOfIrradiationEvents: accumulated?.childNumber(C.TotalNumberOfIrradiationEvents) ?? null,
    totalDlpMGyCm: q.read(accumulated?.child(C.CtDoseLengthProductTotal) ?? null, 'mGy.cm', 'CT Dose Length Product Total'),
    totalEffectiveDoseMSv: q.read(accumulated?.child(C.CtEffectiveDoseTotal) ?? null, 'mSv', 'CT Effective Dose Total'),
    events: root.all(C.CtAcquisition).map((e) => readEvent(e, q)),
  };
}

/** A CT dose SR (RDSR or GE Enhanced SR) as a DoseReport. */
export function extractCtRadiationDose(ds: DicomDataset, ctx: ExtractContext): DoseReport {
  const sopInstanceUid = ds.string(T.SOPInstanceUID);
  if (!sopInstanceUid) throw new Error('no SOP Instance UID: the dose report cannot be identified');
  const root = srRoot(ds);
  const q = new Quantities();
  const ct = readCtDose(root, q);
  const study = readStudyInfo(ds);
  // The scope of accumulation names the study when the header lacks it.
  if (!study.studyInstanceUid) study.studyInstanceUid = root.child(C.ScopeOfAccumulation)?.childUid(C.StudyInstanceUID) ?? '';
  const report: DoseReport = {
    modality: 'CT',
    sourceKind: ctx.enhancedSr ? 'esr' : 'rdsr',
    sopInstanceUid,
    study,
    patient: readPatientInfo(ds, study.studyDate ?? null),
    equipment: { ...readEquipmentInfo(ds), deviceObserverUid: deviceObserverUid(ct.observers ?? []) },
    summary: {},
    ct,
    objectUidsProcessed: [sopInstanceUid],
  };
  report.summary = summarise(report);
  const warnings = [...q.warnings, ...incompleteTotals(report)];
  if (warnings.length) report.warnings = warnings;
  return report;
}
