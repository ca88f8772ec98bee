// Vendor-specific content of projection X-ray RDSRs that carries values the standard items
// lack: Philips Allura/Azurion private collimator shutter positions and number of frames,
// and Siemens Artis XML comments with the patient position and image intensifier size.
import type { Concept, SrItem } from '../dicom/sr.js';

const PHILIPS_SCHEME = '99PHI-IXR-XPER';

function philips(meaning: string): Concept {
  return { meaning, codes: [] };
}

const P = {
  NumberOfFrames: philips('Number of Frames'),
  WedgesAndShutters: philips('Wedges and Shutters'),
  BottomShutter: philips('Bottom Shutter'),
  LeftShutter: philips('Left Shutter'),
  RightShutter: philips('Right Shutter'),
  TopShutter: philips('Top Shutter'),
};

function isPhilips(item: SrItem): boolean {
  return item.concept?.scheme === PHILIPS_SCHEME;
}

function philipsChild(parent: SrItem, concept: Concept): SrItem | null {
  return parent.all(concept).find(isPhilips) ?? null;
}

/** Philips private "Number of Frames" of an event: the number of pulses when the standard item is missing. */
export function philipsNumberOfFrames(event: SrItem): number | null {
  return philipsChild(event, P.NumberOfFrames)?.number ?? null;
}

export interface CollimatedField {
  heightMm: number;
  widthMm: number;
  areaM2: number;
}

/**
 * Collimated field at the image receptor from the Philips private shutter positions. The
 * positions are distances (mm) of each shutter from the central ray in the plane 1 m from
 * the focus, so the field at the detector scales with the source to detector distance in m.
 * Null unless all four shutters and the distance are known and non-zero.
 */
export function philipsCollimatedField(event: SrItem, distanceSourceToDetectorMm: number | null | undefined): CollimatedField | null {
  const shutters = philipsChild(event, P.WedgesAndShutters);
  if (!shutters || !distanceSourceToDetectorMm) return null;
  const read = (c: Concept) => philipsChild(shutters, c)?.number ?? null;
  const [bottom, left, right, top] = [read(P.BottomShutter), read(P.LeftShutter), read(P.RightShutter), read(P.TopShutter)];
  if (!bottom || !left || !right || !top) return null;
  const sddM = distanceSourceToDetectorMm / 1000;
  const heightMm = (left + right) * sddM;
  const widthMm = (bottom + top) * sddM;
  return { heightMm, widthMm, areaM2: (heightMm * widthMm) / 1e6 };
}

/** Value of the SRData attribute of the first `element` in a Siemens XML comment. */
function srData(xml: string, element: string): string | null {
  const m = new RegExp(`<${element}\\b[^>]*\\bSRData\\s*=\\s*"([^"]*)"`).exec(xml);
  return m ? m[1]!.trim() : null;
}

/** Siemens event comment: the image intensifier / detector field diameter as displayed (mm). */
export function siemensIiDiameterMm(comment: string | null | undefined): number | null {
  if (!comment || !comment.includes('<')) return null;
  const v = srData(comment, 'iiDiameter');
  if (!v) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export interface PatientPosition {
  patientTableRelationship: string;
  patientTableRelationshipCode: string;
  patientOrientation: string;
  patientOrientationCode: string;
  patientOrientationModifier: string;
}

const HEAD_FIRST = { patientTableRelationship: 'headfirst', patientTableRelationshipCode: 'F-10470' };
const FEET_FIRST = { patientTableRelationship: 'feet-first', patientTableRelationshipCode: 'F-10480' };
const RECUMBENT = { patientOrientation: 'recumbent', patientOrientationCode: 'F-10450' };

const POSITIONS: Record<string, PatientPosition> = {
  HFS: { ...HEAD_FIRST, ...RECUMBENT, patientOrientationModifier: 'supine' },
  HFP: { ...HEAD_FIRST, ...RECUMBENT, patientOrientationModifier: 'prone' },
  FFS: { ...FEET_FIRST, ...RECUMBENT, patientOrientationModifier: 'supine' },
  FFP: { ...FEET_FIRST, ...RECUMBENT, patientOrientationModifier: 'prone' },
};

/** Siemens document comment: patient position (HFS, FFP, ...) as coded table relationship and orientation. */
export function siemensPatientPosition(comment: string | null | undefined): PatientPosition | null {
  if (!comment || !comment.includes('<')) return null;
  const block = /<PatientPosition\b[^>]*>([\s\S]*?)<\/PatientPosition>/.exec(comment);
  if (!block) return null;
  const position = srData(block[1]!, 'Position');
  return position ? (POSITIONS[position.toUpperCase()] ?? null) : null;
}
