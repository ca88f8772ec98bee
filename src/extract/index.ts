// Bytes → DoseReport. Recognises what an object is, hands it to the extractor for its kind,
// and turns everything that is not a dose object into a one-line reason.
import type { DicomDataset } from '../dicom/dataset.js';
import { NotDicomError, parseDicom, type ParsedDicom } from '../dicom/read.js';
import { srRoot } from '../dicom/sr.js';
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
  /** `kind` is known when the object was recognised but could not be read. */
  | { status: 'failed'; reason: string; kind?: ExtractorKind };

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
const CT_PROCEDURE = { meaning: 'Computed Tomography X-Ray', codes: ['P5-08000', '77477000'] };

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
      const procedure = root.child(C.ProcedureReported);
      return { kind: procedure?.code && (CT_PROCEDURE.codes.includes(procedure.code.value) || procedure.code.meaning === CT_PROCEDURE.meaning) ? 'rdsr-ct' : 'rdsr-projection', enhancedSr };
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
  const what = [sopClass && `SOP class ${sopClass}`, modality && `modality ${modality}`].filter(Boolean).join(', ');
  return { kind: null, reason: `not a dose object${what ? ` (${what})` : ''}` };
}

export function extractFromDataset(parsed: ParsedDicom): ExtractOutcome {
  const ds = parsed.dataset;
  const cls = classify(ds);
  if (cls.kind === null) return cls.damaged ? { status: 'failed', reason: cls.reason } : { status: 'not-dose', reason: cls.reason };
  const extractor = extractors[cls.kind];
  if (!extractor) return { status: 'not-dose', reason: `${cls.kind} objects are not read by this version` };
  try {
    const report = extractor(ds, { enhancedSr: cls.enhancedSr });
    if (parsed.truncated) {
      report.warnings = [...(report.warnings ?? []), `file is truncated or damaged (${parsed.problem ?? 'unexpected end'}); values read before the damage were kept`];
    }
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
    throw err;
  }
  return extractFromDataset(parsed);
}
