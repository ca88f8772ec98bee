// One file in, one result line out: read the header, extract, store, then deal with the
// source file (delete when configured, quarantine on failure). Nothing here throws for a bad
// file; every failure becomes a reason.
import type { Logger } from 'pino';
import { DamagedDicomError, NotDicomError, readDicomFile, type ParsedDicom } from '../dicom/read.js';
import type { Db } from '../db/connect.js';
import { ioReason } from '../io-errors.js';
import { extractFromDataset, type ExtractorKind } from '../extract/index.js';
import type { SiteSettings } from '../settings/site.js';
import { deleteIfConfigured, quarantine } from './file-disposition.js';
import { ingestReport, RefusedReportError } from './ingest.js';

export type FileStatus = 'imported' | 'merged' | 'duplicate' | 'not-dose' | 'failed';

export interface FileResult {
  file: string;
  status: FileStatus;
  message: string;
  studyId?: number;
  modality?: string;
  warnings?: string[];
  /** Where a failed file was kept. */
  quarantinedAs?: string;
  /** True when the source file was deleted after its data was committed. */
  deleted?: boolean;
}

export interface ImportOptions {
  /** Data folder holding the quarantine; without it failed files are only reported. */
  dataDir?: string;
  logger?: Logger;
}

interface Classified {
  result: FileResult;
  kind: ExtractorKind | null;
  dicom: boolean;
  /** What the DICOM parser said about a failure, for the log only. */
  detail?: string;
}

async function classifyAndStore(db: Db, settings: SiteSettings, file: string, reading: Promise<ParsedDicom>): Promise<Classified> {
  let parsed: ParsedDicom;
  try {
    parsed = await reading;
  } catch (err) {
    if (err instanceof NotDicomError) return { result: { file, status: 'failed', message: err.message }, kind: null, dicom: false };
    if (err instanceof DamagedDicomError) return { result: { file, status: 'failed', message: err.message }, kind: null, dicom: true, ...(err.detail ? { detail: err.detail } : {}) };
    return { result: { file, status: 'failed', message: `cannot read file: ${ioReason(err)}` }, kind: null, dicom: false };
  }
  const outcome = extractFromDataset(parsed);
  if (outcome.status === 'not-dose') return { result: { file, status: 'not-dose', message: outcome.reason }, kind: null, dicom: true };
  if (outcome.status === 'failed') return { result: { file, status: 'failed', message: outcome.reason }, kind: outcome.kind ?? null, dicom: true, ...(outcome.detail ? { detail: outcome.detail } : {}) };
  const report = outcome.report;
  try {
    const stored = await ingestReport(db, settings, report);
    const result: FileResult = { file, status: stored.status, message: stored.message, studyId: stored.studyId, modality: report.modality };
    if (report.warnings?.length) result.warnings = report.warnings;
    return { result, kind: outcome.kind, dicom: true };
  } catch (err) {
    if (err instanceof RefusedReportError) return { result: { file, status: 'failed', message: err.message, modality: report.modality }, kind: outcome.kind, dicom: true };
    return { result: { file, status: 'failed', message: `could not store: ${err instanceof Error ? err.message : String(err)}` }, kind: outcome.kind, dicom: true };
  }
}

/** Starts reading a file's header; errors surface when the import awaits it. */
export function startReading(file: string): Promise<ParsedDicom> {
  const reading = readDicomFile(file);
  reading.catch(() => undefined);
  return reading;
}

/**
 * Imports one file. `reading` lets a caller start reading the next file while this one is
 * stored (see importFiles).
 */
export async function importFile(db: Db, settings: SiteSettings, file: string, opts: ImportOptions = {}, reading: Promise<ParsedDicom> = startReading(file)): Promise<FileResult> {
  const { result, kind, dicom, detail } = await classifyAndStore(db, settings, file, reading);
  const log = opts.logger;
  if (result.status === 'failed') {
    log?.warn({ file, reason: result.message, kind, ...(detail ? { parser: detail } : {}) }, 'import failed');
    // Non-DICOM files (a README in an import folder) are not dose data: reported, left alone.
    if (opts.dataDir && dicom) {
      try {
        result.quarantinedAs = await quarantine(opts.dataDir, file, result.message, kind, settings);
      } catch (err) {
        log?.error({ file, err: String(err) }, 'could not quarantine failed file');
      }
    }
    return result;
  }
  if (result.status === 'not-dose') {
    log?.info({ file, reason: result.message }, 'not a dose object');
    return result;
  }
  log?.info({ file, status: result.status, studyId: result.studyId, modality: result.modality }, result.message);
  if (kind) {
    try {
      result.deleted = await deleteIfConfigured(file, kind, settings);
    } catch (err) {
      log?.warn({ file, err: String(err) }, 'imported, but could not delete the source file');
    }
  }
  return result;
}

/** Imports files in order, reading each file's header while the previous one is stored. */
export async function importFiles(db: Db, settings: SiteSettings, files: readonly string[], opts: ImportOptions, onResult: (r: FileResult) => void): Promise<FileResult[]> {
  const results: FileResult[] = [];
  let next = files.length > 0 ? startReading(files[0]!) : null;
  for (let i = 0; i < files.length; i++) {
    const reading = next!;
    next = i + 1 < files.length ? startReading(files[i + 1]!) : null;
    const r = await importFile(db, settings, files[i]!, opts, reading);
    results.push(r);
    onResult(r);
  }
  return results;
}
