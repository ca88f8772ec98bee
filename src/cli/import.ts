import { importFiles, type FileResult, type FileStatus } from '../ingest/import-file.js';
import { quarantinedFiles, retryQuarantined } from '../ingest/retry-quarantine.js';
import { openLog } from '../log.js';
import { loadSettings } from '../settings/store.js';
import { atMost, parseArgs, usageFailure, UsageError } from './args.js';
import { withDatabase } from './context.js';
import { expandPaths } from './paths.js';
import { Progress } from './progress.js';
import { stopOnSignals } from './stop-signals.js';

const LABEL: Record<FileStatus, string> = {
  imported: 'imported',
  merged: 'imported',
  duplicate: 'duplicate skipped',
  'not-dose': 'not a dose object',
  failed: 'failed',
};

function line(r: FileResult): string {
  const what = [r.modality, r.message, r.quarantinedAs && `kept in quarantine as ${r.quarantinedAs}`, r.deleted && 'source deleted'].filter(Boolean).join(', ');
  return `${LABEL[r.status]}: ${r.file} (${what})`;
}

const USAGE = 'Usage: openrem import [--json] PATH...   |   openrem import --retry-quarantine';

function parseImportArgs(args: readonly string[]): { json: boolean; retry: boolean; paths: string[] } {
  const { positional: paths, options } = parseArgs(args, [], ['json', 'retry-quarantine']);
  const retry = options.has('retry-quarantine');
  if (retry) atMost(paths, 0);
  else if (paths.length === 0) throw new UsageError('give the files or folders to import');
  return { json: options.has('json'), retry, paths };
}

export async function runImport(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseImportArgs>;
  try {
    parsed = parseImportArgs(args);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure('import', err, USAGE);
    throw err;
  }
  const { json, retry, paths } = parsed;
  const results: FileResult[] = [];
  const files: string[] = [];
  for await (const item of expandPaths(paths)) {
    if ('file' in item) files.push(item.file);
    else results.push({ file: item.failed, status: 'failed', message: item.reason });
  }
  const emit = (r: FileResult, progress?: Progress) => {
    const text = json ? JSON.stringify(r) : line(r);
    if (progress) progress.log(text);
    else console.log(text);
    if (!json) for (const w of r.warnings ?? []) console.error(`  warning: ${r.file}: ${w}`);
  };
  for (const r of results) emit(r);

  const started = Date.now();
  // The run ends after the file being stored, so every file committed is reported and logged.
  const stop = stopOnSignals((signal) => signal);
  let read = 0;
  let total = files.length;
  await withDatabase(async (db, config) => {
    const settings = await loadSettings(db.kysely);
    const log = openLog(config.dataDir);
    const logger = log.logger;
    try {
      if (retry) {
        total = (await quarantinedFiles(config.dataDir)).length;
        const progress = new Progress(total, 'quarantined files');
        results.push(
          ...(await retryQuarantined(
            db,
            settings,
            config.dataDir,
            logger,
            (r) => {
              read++;
              emit(r, progress);
              progress.tick();
            },
            stop.signal,
          )),
        );
        progress.finish();
        return;
      }
      const progress = new Progress(files.length, 'files');
      results.push(
        ...(await importFiles(db, settings, files, { dataDir: config.dataDir, logger, threads: config.importThreads, signal: stop.signal }, (r) => {
          read++;
          emit(r, progress);
          progress.tick();
        })),
      );
      progress.finish();
      if (stop.signal.aborted) logger.warn({ signal: stop.signal.reason, read, notRead: total - read }, 'import stopped');
    } finally {
      log.close();
    }
  });
  stop.release();

  const count = (s: FileStatus) => results.filter((r) => r.status === s).length;
  const failed = count('failed');
  if (!json) {
    const secs = (Date.now() - started) / 1000;
    console.log(
      `${results.length} file(s): ${count('imported')} imported, ${count('merged')} merged into existing studies, ` +
        `${count('duplicate')} duplicate(s) skipped, ${count('not-dose')} not dose objects, ${failed} failed` +
        ` (${secs.toFixed(1)} s)`,
    );
  }
  if (stop.signal.aborted) {
    console.error(`stopped (${stop.signal.reason === 'SIGINT' ? 'Ctrl+C' : 'SIGTERM'}): ${total - read} of ${total} files not read; the same command again imports them (files already stored are skipped as duplicates)`);
    return stop.signal.reason === 'SIGINT' ? 130 : 143;
  }
  return failed > 0 ? 1 : 0;
}
