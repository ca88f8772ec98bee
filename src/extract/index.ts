// Bytes → DoseReport. Recognises what an object is, hands it to the extractor for its kind,
// and turns everything that is not a dose object into a one-line reason.
import type { DicomDataset } from '../dicom/dataset.js';
import { DamagedDicomError, NotDicomError, parseDicom, type DicomDamage, type ParsedDicom } from '../dicom/read.js';
import { srRoot, TAG as SR_TAG, type SrItem } from '../dicom/sr.js';
import { SOP_CLASS, T } from '../dicom/tags.js';
import type { DoseReport } from '../report/types.js';
import { C } from './concepts.js';
import { extractCtPhilipsSc } from './ct-philips-sc.js';
import { extractDxImage } from './image-dx.js';
import { extractMgImage } from './image-mg.js';
import { extractNmImage } from './image-nm.js';
import { extractRrdsr } from './rrdsr-nm.js';
import { extractCtRadiationDose } from './rdsr-ct.js';
import { extractProjectionRdsr } from './rdsr-projection.js';

export type ExtractOutcome =
  | { status: 'report'; report: DoseReport; kind: ExtractorKind }
  /** DICOM, but not a dose source we read: skipped, not an error. */
  | { status: 'not-dose'; reason: string }
  /** `kind` is known when the object was recognised but could not be read; `detail` is for the log only. */
  | { status: 'failed'; reason: string; kind?: ExtractorKind; detail?: string };

/** Extractors by the kind of object they read. */
export type ExtractorKind = 'rdsr-ct' | 'rdsr-projection' | 'rrdsr' | 'dx-image' | 'mg-image' | 'ct-philips-sc' | 'nm-image';

export interface ExtractContext {
  /** Whether the object came from an Enhanced / Comprehensive SR rather than an RDSR. */
  enhancedSr: boolean;
}

export type Extractor = (ds: DicomDataset, ctx: ExtractContext) => DoseReport;

/** One extractor per kind of object; a kind without one is reported as not read. */
const extractors: Partial<Record<ExtractorKind, Extractor>> = {
  rrdsr: extractRrdsr,
  'nm-image': extractNmImage,
  'rdsr-ct': extractCtRadiationDose,
  'rdsr-projection': extractProjectionRdsr,
  'dx-image': extractDxImage,
  'mg-image': extractMgImage,
  'ct-philips-sc': extractCtPhilipsSc,
};

const SR_CLASSES = new Set<string>([
  SOP_CLASS.XRayRadiationDoseSR,
  SOP_CLASS.RadiopharmaceuticalRadiationDoseSR,
  SOP_CLASS.EnhancedSR,
  SOP_CLASS.ComprehensiveSR,
  SOP_CLASS.Comprehensive3DSR,
  SOP_CLASS.BasicTextSR,
]);
const DX_CLASSES = new Set<string>([
  SOP_CLASS.ComputedRadiography,
  SOP_CLASS.DigitalXRayForPresentation,
  SOP_CLASS.DigitalXRayForProcessing,
  SOP_CLASS.DigitalIntraOralForPresentation,
  SOP_CLASS.DigitalIntraOralForProcessing,
]);
const MG_CLASSES = new Set<string>([
  SOP_CLASS.DigitalMammographyForPresentation,
  SOP_CLASS.DigitalMammographyForProcessing,
  SOP_CLASS.BreastProjectionXRayForPresentation,
  SOP_CLASS.BreastProjectionXRayForProcessing,
]);
const NM_CLASSES = new Set<string>([SOP_CLASS.NuclearMedicineImage, SOP_CLASS.PETImage, SOP_CLASS.EnhancedPETImage]);
/** Exposure Dose Sequence: the dose a Philips CT dose-info capture carries. */
const PHILIPS_EXPOSURE_DOSE_SEQUENCE = 'x0040030e';
/** A UID: numbers separated by dots, at most 64 characters. */
const UID_SYNTAX = /^(?=.{1,64}$)\d+(\.\d+)*$/;
/** The SR document content: a dose report cut inside it has lost dose data. */
const CONTENT_SEQUENCE = 'x0040a730';
const SR_KINDS: ReadonlySet<ExtractorKind> = new Set(['rdsr-ct', 'rdsr-projection', 'rrdsr']);

/**
 * Which template an X-Ray Radiation Dose Report follows, from what it holds: "procedure
 * reported" is optional, sometimes wrong and lost first when a report is cut short.
 */
function xrayDoseReportKind(root: SrItem): { kind: 'rdsr-ct' | 'rdsr-projection' } | { reason: string } {
  const items = root.children;
  const ct = items.some((c) => c.is(C.CtAccumulatedDoseData) || c.is(C.CtAcquisition));
  const projection = items.some((c) => c.is(C.AccumulatedXrayDoseData) || c.is(C.IrradiationEventXrayData));
  if (ct && projection) return { reason: 'the report holds both CT and projection X-ray dose data; it cannot be read as either alone' };
  if (ct) return { kind: 'rdsr-ct' };
  if (projection) return { kind: 'rdsr-projection' };
  return { reason: 'no dose data in the report (no accumulated dose data and no irradiation events)' };
}

/** `damaged`: it should be a dose object but is unreadable, a failure rather than a skip. */
export type Classification = { kind: ExtractorKind; enhancedSr: boolean } | { kind: null; reason: string; damaged?: boolean };

/** What kind of object this is, from its SOP class, modality and (for SRs) document title. */
export function classify(ds: DicomDataset): Classification {
  const sopClass = ds.string(T.SOPClassUID) ?? '';
  const modality = (ds.string(T.Modality) ?? '').toUpperCase();
  if (SR_CLASSES.has(sopClass) || (sopClass === '' && modality === 'SR')) {
    const root = srRoot(ds);
    const enhancedSr = sopClass !== SOP_CLASS.XRayRadiationDoseSR && sopClass !== SOP_CLASS.RadiopharmaceuticalRadiationDoseSR;
    if (root.is(C.XRayRadiationDoseReport)) {
      const decided = xrayDoseReportKind(root);
      return 'kind' in decided ? { kind: decided.kind, enhancedSr } : { kind: null, damaged: true, reason: decided.reason };
    }
    if (root.is(C.RadiopharmaceuticalRadiationDoseReport)) return { kind: 'rrdsr', enhancedSr };
    const title = root.concept?.meaning;
    // A dose SR class whose title is missing or wrong is a damaged dose report: skipping it would lose dose data.
    if (!enhancedSr || !title) {
      return { kind: null, damaged: true, reason: `a dose SR without a readable dose report title${title ? ` (document title "${title}")` : ' (truncated or damaged?)'}` };
    }
    return { kind: null, reason: `not a radiation dose structured report (document title "${title}")` };
  }
  // Radiography classes also carry mammograms (modality MG) and dental panoramic images (PX, read as DX).
  if (DX_CLASSES.has(sopClass)) return { kind: modality === 'MG' ? 'mg-image' : 'dx-image', enhancedSr: false };
  if (MG_CLASSES.has(sopClass)) return { kind: 'mg-image', enhancedSr: false };
  if (NM_CLASSES.has(sopClass)) return { kind: 'nm-image', enhancedSr: false };
  if (sopClass === SOP_CLASS.SecondaryCapture) {
    const manufacturer = (ds.string(T.Manufacturer) ?? '').toLowerCase();
    const imageType = ds.texts(T.ImageType).map((t) => t.toUpperCase());
    if (manufacturer.includes('philips') && modality === 'CT' && (imageType.includes('DOSE_INFO') || ds.has(PHILIPS_EXPOSURE_DOSE_SEQUENCE))) {
      return { kind: 'ct-philips-sc', enhancedSr: false };
    }
    // Original mammography captures (Hologic tomosynthesis projections) record an exposure; derived ones copy another image's.
    if (modality === 'MG' && imageType.includes('ORIGINAL')) return { kind: 'mg-image', enhancedSr: false };
  }
  // A SOP class that is not a UID at all was damaged: the object may have been a dose object.
  if (sopClass && !UID_SYNTAX.test(sopClass)) return { kind: null, damaged: true, reason: `damaged: the SOP Class UID is not a valid UID (${JSON.stringify(sopClass)})` };
  const what = [sopClass && `SOP class ${sopClass}`, modality && `modality ${modality}`].filter(Boolean).join(', ');
  return { kind: null, reason: `not a dose object${what ? ` (${what})` : ''}` };
}

/**
 * Whether the dose content was read whole although the data set was not: the SR content
 * (Content Sequence) was complete and the damage lies in what follows it. Image headers
 * give no such proof (dose values sit anywhere up to the pixel data, which is not damage).
 */
function doseContentComplete(damage: DicomDamage, kind: ExtractorKind, ds: DicomDataset): boolean {
  return SR_KINDS.has(kind) && damage.tag !== null && damage.tag > CONTENT_SEQUENCE && ds.element(CONTENT_SEQUENCE) !== undefined;
}

/** Classes whose objects may carry dose data, depending on what they hold. */
const DOSE_CAPABLE_CLASSES: ReadonlySet<string> = new Set([...SR_CLASSES, ...DX_CLASSES, ...MG_CLASSES, ...NM_CLASSES, SOP_CLASS.SecondaryCapture]);

/**
 * Whether a damaged object is surely not a dose object: its SOP class was read whole and
 * never carries dose data, or it is an SR whose document title, read whole, names another
 * kind of document. Anything else may have been dose data and fails rather than being skipped.
 */
function notDoseDespiteDamage(ds: DicomDataset, damage: DicomDamage): boolean {
  const sopClass = ds.string(T.SOPClassUID);
  if (!sopClass || damage.tag === T.SOPClassUID) return false;
  if (SR_CLASSES.has(sopClass)) return ds.has(SR_TAG.ConceptNameCodeSequence) && damage.tag !== SR_TAG.ConceptNameCodeSequence;
  return !DOSE_CAPABLE_CLASSES.has(sopClass);
}

function failedFrom(damage: DicomDamage, kind?: ExtractorKind): ExtractOutcome {
  const out: ExtractOutcome = { status: 'failed', reason: damage.reason };
  if (kind) out.kind = kind;
  if (damage.detail) out.detail = damage.detail;
  return out;
}

export function extractFromDataset(parsed: ParsedDicom): ExtractOutcome {
  const { dataset: ds, damage } = parsed;
  const cls = classify(ds);
  if (cls.kind === null) {
    if (damage && (cls.damaged || !notDoseDespiteDamage(ds, damage))) return failedFrom(damage);
    return cls.damaged ? { status: 'failed', reason: cls.reason } : { status: 'not-dose', reason: cls.reason };
  }
  if (damage && !doseContentComplete(damage, cls.kind, ds)) return failedFrom(damage, cls.kind);
  const extractor = extractors[cls.kind];
  if (!extractor) return { status: 'not-dose', reason: `${cls.kind} objects are not read by this version` };
  try {
    const report = extractor(ds, { enhancedSr: cls.enhancedSr });
    if (damage) report.warnings = [...(report.warnings ?? []), `${damage.reason}, after the complete dose report: no dose data is missing`];
    return { status: 'report', report, kind: cls.kind };
  } catch (err) {
    return { status: 'failed', reason: err instanceof Error ? err.message : String(err), kind: cls.kind };
  }
}

export function extractFromBytes(bytes: Uint8Array): ExtractOutcome {
  let parsed: ParsedDicom;
  try {
    parsed = parseDicom(bytes);
  } catch (err) {
    if (err instanceof NotDicomError) return { status: 'failed', reason: err.message };
    if (err instanceof DamagedDicomError) return err.detail ? { status: 'failed', reason: err.message, detail: err.detail } : { status: 'failed', reason: err.message };
    throw err;
  }
  return extractFromDataset(parsed);
}
