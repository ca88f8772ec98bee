// One file in, one result line out: read the header, extract, store, then deal with the
// source file (delete when configured, quarantine on failure). Nothing here throws for a bad
// file; every failure becomes a reason.
import type { Logger } from 'pino';
import { inOneTransaction, TransactionLostError, type Db } from '../db/connect.js';
import type { ExtractorKind } from '../extract/index.js';
import type { SiteSettings } from '../settings/site.js';
import { deleteIfConfigured, quarantine } from './file-disposition.js';
import { ExtractPool } from './extract-pool.js';
import { ingestReport, RefusedReportError } from './ingest.js';
import { readAndExtract, type FileReading } from './read-extract.js';

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
  /** Worker threads for reading and extracting (importFiles only); see AppConfig.importThreads. */
  threads?: number | undefined;
  /** Stops a bulk import after the file being stored: what was committed is reported, the rest is not read. */
  signal?: AbortSignal;
}

interface Classified {
  result: FileResult;
  kind: ExtractorKind | null;
  dicom: boolean;
  /** What the DICOM parser said about a failure, for the log only. */
  detail?: string;
}

async function classifyAndStore(db: Db, settings: SiteSettings, file: string, reading: Promise<FileReading>): Promise<Classified> {
  const outcome = await reading;
  if (outcome.status === 'not-dose') return { result: { file, status: 'not-dose', message: outcome.reason }, kind: null, dicom: true };
  if (outcome.status === 'failed') return { result: { file, status: 'failed', message: outcome.reason }, kind: outcome.kind, dicom: outcome.dicom, ...(outcome.detail ? { detail: outcome.detail } : {}) };
  const report = outcome.report;
  try {
    const stored = await ingestReport(db, settings, report);
    const result: FileResult = { file, status: stored.status, message: stored.message, studyId: stored.studyId, modality: report.modality };
    if (report.warnings?.length) result.warnings = report.warnings;
    return { result, kind: outcome.kind, dicom: true };
  } catch (err) {
    // The whole group's transaction is gone: the group is stored again, so no outcome here.
    if (err instanceof TransactionLostError) throw err;
    if (err instanceof RefusedReportError) return { result: { file, status: 'failed', message: err.message, modality: report.modality }, kind: outcome.kind, dicom: true };
    return { result: { file, status: 'failed', message: `could not store: ${err instanceof Error ? err.message : String(err)}` }, kind: outcome.kind, dicom: true };
  }
}

/** After the store is committed: quarantine a failed file, delete an imported one if configured, log. */
async function settle(classified: Classified, file: string, settings: SiteSettings, opts: ImportOptions): Promise<FileResult> {
  const { result, kind, dicom, detail } = classified;
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

/** Imports one file. */
export async function importFile(db: Db, settings: SiteSettings, file: string, opts: ImportOptions = {}): Promise<FileResult> {
  return settle(await classifyAndStore(db, settings, file, readAndExtract(file)), file, settings, opts);
}

/**
 * A group of files is stored in one transaction: committing each small report alone would
 * take as long as reading, extracting and storing it. A group ends at this many files or
 * after this long, so results still appear several times a second.
 */
const GROUP_FILES = 64;
const GROUP_MS = 200;

/** Below this many files, starting worker threads costs more than it saves. */
const POOL_MIN_FILES = 16;

/**
 * Imports files in order. Files are read and extracted ahead of storing, in worker threads
 * when there are enough of them (extract-pool.ts), and stored in groups (one commit each); a
 * file's result is given, and its source deleted or quarantined, only once its group is
 * committed. When a group cannot be committed, its files are stored again one by one, so each
 * gets its own outcome.
 */
export async function importFiles(db: Db, settings: SiteSettings, files: readonly string[], opts: ImportOptions, onResult: (r: FileResult) => void): Promise<FileResult[]> {
  const pool = files.length >= POOL_MIN_FILES ? ExtractPool.start({ ...(opts.logger ? { log: opts.logger } : {}), ...(opts.threads !== undefined ? { size: opts.threads } : {}) }) : null;
  try {
    return await importInGroups(db, settings, files, opts, onResult, pool);
  } finally {
    await pool?.close();
  }
}

async function importInGroups(db: Db, settings: SiteSettings, files: readonly string[], opts: ImportOptions, onResult: (r: FileResult) => void, pool: ExtractPool | null): Promise<FileResult[]> {
  const results: FileResult[] = [];
  // Without workers, the next file is read while this one is stored; with them, enough files
  // are in hand that no worker waits.
  const depth = pool ? pool.size * 4 : 1;
  const ahead = new Map<number, Promise<FileReading>>();
  const reading = (k: number): Promise<FileReading> => {
    for (let j = k; j < Math.min(files.length, k + depth + 1); j++) {
      if (ahead.has(j)) continue;
      const r = pool ? pool.extract(files[j]!) : readAndExtract(files[j]!);
      // Failures are outcomes, not rejections; this keeps an early unexpected one from going unobserved.
      r.catch(() => undefined);
      ahead.set(j, r);
    }
    const r = ahead.get(k)!;
    ahead.delete(k);
    return r;
  };
  let i = 0;
  while (i < files.length && !opts.signal?.aborted) {
    const first = i;
    let group: Classified[];
    try {
      group = await inOneTransaction(db, async (inside) => {
        const stored: Classified[] = [];
        const started = Date.now();
        do {
          const k = i++;
          stored.push(await classifyAndStore(inside, settings, files[k]!, reading(k)));
        } while (i < files.length && stored.length < GROUP_FILES && Date.now() - started < GROUP_MS && !opts.signal?.aborted);
        return stored;
      });
    } catch (err) {
      opts.logger?.warn({ err: String(err), files: i - first }, 'a group of imported files could not be committed; storing them one by one');
      group = [];
      for (let k = first; k < i; k++) group.push(await classifyAndStore(db, settings, files[k]!, readAndExtract(files[k]!)));
    }
    for (let k = 0; k < group.length; k++) {
      const r = await settle(group[k]!, files[first + k]!, settings, opts);
      results.push(r);
      onResult(r);
    }
  }
  return results;
}
