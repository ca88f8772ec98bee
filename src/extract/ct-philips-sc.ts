// Philips CT "Dose Info" secondary capture (Brilliance and similar) → DoseReport. The image
// carries the examination's dose in its header: one Exposure Dose Sequence item per
// acquisition with its technique, CTDIvol and (in a Philips private element) DLP, and the
// study's total DLP in the same private element at the top level.
import type { DicomDataset } from '../dicom/dataset.js';
import { T } from '../dicom/tags.js';
import { summarise } from '../report/summary.js';
import type { CtDose, CtEvent, DoseReport } from '../report/types.js';
import { readEquipmentInfo, readPatientInfo, readStudyInfo } from './common.js';
import { inUnit } from './image-xray.js';

const PT = {
  TotalNumberOfExposures: 'x00400301',
  ExposureDoseSequence: 'x0040030e',
  CommentsOnRadiationDose: 'x00400310',
  KVP: 'x00180060',
  ExposureTime: 'x00181150',
  ScanLength: 'x00181302',
  XRayTubeCurrentInuA: 'x00188151',
  AcquisitionType: 'x00189302',
  SingleCollimationWidth: 'x00189306',
  TotalCollimationWidth: 'x00189307',
  SpiralPitchFactor: 'x00189311',
  CTDIvol: 'x00189345',
} as const;

/** Philips private elements: (group, creator, element within the creator's block). */
const PHILIPS_CREATOR = 'ELSCINT1';
const DLP = { group: '00e1', element: '21' };
const PHANTOM = { group: '01e1', element: '26' };

/**
 * Key of a private element, found through its creator's reservation: the block (gggg,00bb)
 * naming `creator` makes (gggg,bbee) its element ee. Null when the creator has no block here.
 */
function privateTag(ds: DicomDataset, group: string, creator: string, element: string): string | null {
  for (let block = 0x10; block <= 0xff; block++) {
    const bb = block.toString(16).padStart(2, '0');
    if (ds.text(`x${group}00${bb}`)?.trim().toUpperCase() === creator) return `x${group}${bb}${element}`;
  }
  return null;
}

function privateNumber(ds: DicomDataset, at: { group: string; element: string }): number | null {
  const tag = privateTag(ds, at.group, PHILIPS_CREATOR, at.element);
  return tag ? ds.number(tag) : null;
}

function privateText(ds: DicomDataset, at: { group: string; element: string }): string | null {
  const tag = privateTag(ds, at.group, PHILIPS_CREATOR, at.element);
  return tag ? ds.text(tag) : null;
}

/** CT acquisition types (CID 10013) by the defined terms of Acquisition Type (0018,9302). */
const ACQUISITION_TYPES: Record<string, string> = {
  SEQUENCED: 'Sequenced Acquisition',
  SPIRAL: 'Spiral Acquisition',
  CONSTANT_ANGLE: 'Constant Angle Acquisition',
  STATIONARY: 'Stationary Acquisition',
  FREE: 'Free Acquisition',
};

const PHANTOMS: Record<string, string> = { '16 CM': 'IEC Head Dosimetry Phantom', '32 CM': 'IEC Body Dosimetry Phantom' };

function readEvent(item: DicomDataset): CtEvent {
  const type = (item.string(PT.AcquisitionType) ?? '').toUpperCase();
  const phantom = (privateText(item, PHANTOM) ?? '').toUpperCase();
  return {
    acquisitionProtocol: item.text(T.SeriesDescription),
    acquisitionType: ACQUISITION_TYPES[type] ?? null,
    // Exposure Time is in ms, the tube current in µA here.
    exposureTimeS: inUnit(item.number(PT.ExposureTime), 'ms', 's'),
    scanningLengthMm: item.number(PT.ScanLength),
    nominalSingleCollimationWidthMm: item.number(PT.SingleCollimationWidth),
    nominalTotalCollimationWidthMm: item.number(PT.TotalCollimationWidth),
    pitchFactor: item.number(PT.SpiralPitchFactor),
    numberOfXraySources: 1,
    sources: [{ identificationOfTheXraySource: 'A', kvp: item.number(PT.KVP), xrayTubeCurrentMa: inUnit(item.number(PT.XRayTubeCurrentInuA), 'uA', 'mA') }],
    meanCtdiVolMGy: item.number(PT.CTDIvol),
    ctdiwPhantomType: PHANTOMS[phantom] ?? null,
    dlpMGyCm: privateNumber(item, DLP),
    dateTimeStarted: item.dateTime(T.AcquisitionDateTime),
  };
}

/** Start of the first event and end of the last one, when the events are timed. */
function irradiationSpan(events: CtEvent[]): { start: string | null; end: string | null } {
  const timed = events.filter((e) => e.dateTimeStarted).sort((a, b) => (a.dateTimeStarted! < b.dateTimeStarted! ? -1 : 1));
  const first = timed[0];
  const last = timed[timed.length - 1];
  if (!first || !last) return { start: null, end: null };
  const endMs = Date.parse(`${last.dateTimeStarted}Z`) + (last.exposureTimeS ?? 0) * 1000;
  return { start: first.dateTimeStarted!, end: Number.isFinite(endMs) ? localDateTime(new Date(endMs)) : null };
}

/** "YYYY-MM-DDTHH:MM:SS[.ffffff]" of a device-local time held in a Date as if it were UTC. */
function localDateTime(d: Date): string {
  const [whole, ms] = d.toISOString().replace('Z', '').split('.');
  return ms && ms !== '000' ? `${whole}.${ms.padEnd(6, '0')}` : whole!;
}

export function extractCtPhilipsSc(ds: DicomDataset): DoseReport {
  const sopInstanceUid = ds.string(T.SOPInstanceUID);
  if (!sopInstanceUid) throw new Error('no SOP Instance UID (0008,0018): the object cannot be identified');
  // Items without an acquisition type describe no irradiation.
  const events = ds
    .sequence(PT.ExposureDoseSequence)
    .filter((item) => item.has(PT.AcquisitionType))
    .map(readEvent);
  const span = irradiationSpan(events);
  const ct: CtDose = {
    procedureReported: 'Computed Tomography X-Ray',
    hasIntent: 'Diagnostic Intent',
    scopeOfAccumulation: 'Study',
    sourceOfDoseInformation: 'Copied From Image Attributes',
    startOfXrayIrradiation: span.start,
    endOfXrayIrradiation: span.end,
    comment: ds.text(PT.CommentsOnRadiationDose),
    totalNumberOfIrradiationEvents: ds.number(PT.TotalNumberOfExposures),
    totalDlpMGyCm: privateNumber(ds, DLP),
    events,
  };
  const study = readStudyInfo(ds);
  const report: DoseReport = {
    modality: 'CT',
    sourceKind: 'ct-philips-sc',
    sopInstanceUid,
    study,
    patient: readPatientInfo(ds, study.studyDate ?? null),
    equipment: readEquipmentInfo(ds),
    summary: {},
    ct,
    objectUidsProcessed: [sopInstanceUid],
  };
  if (events.length === 0) report.warnings = ['no acquisitions in the Exposure Dose Sequence: the dose summary holds no events'];
  report.summary = summarise(report);
  return report;
}
