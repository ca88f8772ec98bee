// The part of importing a file that needs no database: read its header and extract its dose
// report. Pure of the database and of settings, so it can run in a worker thread
// (extract-pool.ts) while the main thread stores the files before it.
import { DamagedDicomError, NotDicomError, readDicomFile } from '../dicom/read.js';
import { extractFromDataset, type ExtractorKind } from '../extract/index.js';
import { ioReason } from '../io-errors.js';
import type { DoseReport } from '../report/types.js';

export type FileReading =
  | { status: 'report'; report: DoseReport; kind: ExtractorKind }
  | { status: 'not-dose'; reason: string }
  | {
      status: 'failed';
      reason: string;
      kind: ExtractorKind | null;
      /** False when the file is not DICOM at all (or could not be read): it is not quarantined. */
      dicom: boolean;
      /** What the DICOM parser said, for the log only. */
      detail?: string;
    };

export async function readAndExtract(file: string): Promise<FileReading> {
  let parsed;
  try {
    parsed = await readDicomFile(file);
  } catch (err) {
    if (err instanceof NotDicomError) return { status: 'failed', reason: err.message, kind: null, dicom: false };
    if (err instanceof DamagedDicomError) return { status: 'failed', reason: err.message, kind: null, dicom: true, ...(err.detail ? { detail: err.detail } : {}) };
    return { status: 'failed', reason: `cannot read file: ${ioReason(err)}`, kind: null, dicom: false };
  }
  const outcome = extractFromDataset(parsed);
  if (outcome.status === 'report') return { status: 'report', report: outcome.report, kind: outcome.kind };
  if (outcome.status === 'not-dose') return { status: 'not-dose', reason: outcome.reason };
  return { status: 'failed', reason: outcome.reason, kind: outcome.kind ?? null, dicom: true, ...(outcome.detail ? { detail: outcome.detail } : {}) };
}
