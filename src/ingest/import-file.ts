// One file in, one result line out: read the header, extract, store. Every failure becomes
// a reason; nothing here throws for a bad file.
import { readDicomFile, NotDicomError } from '../dicom/read.js';
import type { Db } from '../db/connect.js';
import { extractFromDataset } from '../extract/index.js';
import type { SiteSettings } from '../settings/site.js';
import { ingestReport } from './ingest.js';

export type FileStatus = 'imported' | 'merged' | 'duplicate' | 'not-dose' | 'failed';

export interface FileResult {
  file: string;
  status: FileStatus;
  message: string;
  studyId?: number;
  modality?: string;
  warnings?: string[];
}

function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return e instanceof Error ? e.message : String(err);
  }
}

export async function importFile(db: Db, settings: SiteSettings, file: string): Promise<FileResult> {
  let parsed;
  try {
    parsed = await readDicomFile(file);
  } catch (err) {
    if (err instanceof NotDicomError) return { file, status: 'failed', message: err.message };
    return { file, status: 'failed', message: `cannot read file: ${ioReason(err)}` };
  }
  const outcome = extractFromDataset(parsed);
  if (outcome.status === 'not-dose') return { file, status: 'not-dose', message: outcome.reason };
  if (outcome.status === 'failed') return { file, status: 'failed', message: outcome.reason };
  const report = outcome.report;
  try {
    const result = await ingestReport(db, settings, report);
    const out: FileResult = { file, status: result.status, message: result.message, studyId: result.studyId, modality: report.modality };
    if (report.warnings?.length) out.warnings = report.warnings;
    return out;
  } catch (err) {
    return { file, status: 'failed', message: `could not store: ${err instanceof Error ? err.message : String(err)}` };
  }
}
