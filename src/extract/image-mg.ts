// Mammography image headers (GE Senographe, Hologic and others; also Hologic's secondary
// capture objects of tomosynthesis projections) → DoseReport: one event per image with its
// average glandular dose, technique factors, compression and breast, and the accumulated
// glandular dose per breast.
import type { DicomDataset } from '../dicom/dataset.js';
import type { DoseReport } from '../report/types.js';
import { imageReport, inUnit, nonNegativeDose, readImageEvent, XT } from './image-xray.js';

export function extractMgImage(ds: DicomDataset): DoseReport {
  const event = readImageEvent(ds);
  // Organ Dose is in dGy; for mammography it is the average glandular dose.
  const warnings: string[] = [];
  event.averageGlandularDoseMGy = inUnit(nonNegativeDose(ds.number(XT.OrganDose), 'Organ Dose', warnings), 'dGy', 'mGy');
  event.compressionThicknessMm = ds.number(XT.BodyPartThickness);
  // Compression Force is defined in newtons and stored as written, for every model. Early
  // releases of the reference system divided the GE Senographe DS value by ten, taking it
  // for decinewtons; its current release stores it as written too.
  event.compressionForceN = ds.number(XT.CompressionForce);
  // The mammography positioner's primary angle is the rotation of its column.
  event.columnAngulationDeg ??= event.positionerPrimaryAngleDeg ?? null;
  event.comment = ds.text(XT.ExposureControlModeDescription);
  const report = imageReport(ds, 'MG', 'mg-image', event);
  if (warnings.length) report.warnings = [...(report.warnings ?? []), ...warnings];
  return report;
}
