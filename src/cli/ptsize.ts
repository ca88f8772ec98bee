// `openrem ptsize FILE ID_COLUMN HEIGHT_COLUMN WEIGHT_COLUMN [--si-uid|-u] [--overwrite] [--verbose|-v]`:
// adds patient height and weight from a CSV file to stored studies, with the same engine as
// the web import, recorded in the same import history. Options may come anywhere among the
// four names. Prints rows that could not be used (every line of the log with --verbose, as far
// as the log lists them) and a summary; Ctrl+C (or SIGTERM) stops it between batches.
import { basename } from 'node:path';
import { recordAudit } from '../audit/log.js';
import { describeMappingProblems, ID_KIND_LABELS, mappingProblems, type SizeMapping } from '../ptsize/mapping.js';
import { CsvLayoutError, missingColumns, readLayout } from '../ptsize/read-csv.js';
import { describeUnlisted, unlistedCounts } from '../ptsize/log-limit.js';
import { describeCounts, runSizeImport } from '../ptsize/run-import.js';
import { countLog, createSizeImport, OUTCOMES, SOURCE_COMMAND_LINE, type LogEntry } from '../ptsize/store.js';
import { DELIMITER_NAMES } from '../ptsize/csv.js';
import { HEIGHT_UNIT_CHOICES, type HeightUnitChoice } from '../ptsize/values.js';
import { openLog } from '../log.js';
import { withDatabase } from './context.js';
import { stopOnSignals } from './stop-signals.js';
import { USAGE_ERROR } from './main.js';
import { writeLine } from './output.js';

export const PTSIZE_USAGE =
  'openrem ptsize FILE ID_COLUMN HEIGHT_COLUMN WEIGHT_COLUMN [--si-uid|-u] [--overwrite] [--verbose|-v] [--height-unit auto|cm|m]';

export interface PtsizeArgs {
  csvFile: string;
  idColumn: string;
  heightColumn: string;
  weightColumn: string;
  /** Match on Study Instance UID instead of accession number. */
  siUid: boolean;
  /** Replace heights and weights studies already have. */
  overwrite: boolean;
  verbose: boolean;
  heightUnit: HeightUnitChoice;
}

export class PtsizeUsageError extends Error {}

export function parsePtsizeArgs(args: readonly string[]): PtsizeArgs {
  const positional: string[] = [];
  let siUid = false;
  let overwrite = false;
  let verbose = false;
  let heightUnit: HeightUnitChoice = 'auto';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-u' || arg === '--si-uid') siUid = true;
    else if (arg === '--overwrite') overwrite = true;
    else if (arg === '-v' || arg === '--verbose') verbose = true;
    else if (arg === '--height-unit' || arg.startsWith('--height-unit=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!value || !(HEIGHT_UNIT_CHOICES as readonly string[]).includes(value)) throw new PtsizeUsageError(`--height-unit must be one of ${HEIGHT_UNIT_CHOICES.join(', ')}`);
      heightUnit = value as HeightUnitChoice;
    } else if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    } else if (arg.startsWith('-') && arg.length > 1) throw new PtsizeUsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length > 4) throw new PtsizeUsageError(`unexpected argument "${positional[4]}" (expected FILE ID_COLUMN HEIGHT_COLUMN WEIGHT_COLUMN)`);
  if (positional.length !== 4) {
    throw new PtsizeUsageError(`expected FILE ID_COLUMN HEIGHT_COLUMN WEIGHT_COLUMN, got ${positional.length} argument${positional.length === 1 ? '' : 's'}`);
  }
  const [csvFile, idColumn, heightColumn, weightColumn] = positional as [string, string, string, string];
  return { csvFile, idColumn, heightColumn, weightColumn, siUid, overwrite, verbose, heightUnit };
}

/** One log line as printed: "row 3 (ACC1): updated: study 2 (CT, 2013-04-30): height set to 1.65 m". */
export function formatLogEntry(e: LogEntry): string {
  const where = e.row === null ? '' : `row ${e.row}${e.identifier ? ` (${e.identifier})` : ''}: `;
  return `${where}${e.outcome}: ${e.message}`;
}

/** A percentage on a terminal's stderr while the file is read; nothing when not a terminal. */
function progressLine(): { show(fraction: number, text: string): void; clear(): void } {
  const tty = !!process.stderr.isTTY && !process.env.CI;
  let last = 0;
  let shown = false;
  return {
    show(fraction, text) {
      if (!tty || Date.now() - last < 200) return;
      last = Date.now();
      shown = true;
      process.stderr.write(`\r\x1b[K${Math.floor(fraction * 100)} % ${text}`);
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

export async function runPtsize(args: string[]): Promise<number> {
  let opts: PtsizeArgs;
  try {
    opts = parsePtsizeArgs(args);
  } catch (err) {
    if (!(err instanceof PtsizeUsageError)) throw err;
    console.error(`openrem ptsize: ${err.message}`);
    console.error(`Usage: ${PTSIZE_USAGE}`);
    return USAGE_ERROR;
  }
  const mapping: SizeMapping = {
    idColumn: opts.idColumn,
    idKind: opts.siUid ? 'study-uid' : 'accession',
    heightColumn: opts.heightColumn,
    weightColumn: opts.weightColumn,
    heightUnit: opts.heightUnit,
    overwrite: opts.overwrite,
  };
  let layout;
  try {
    layout = await readLayout(opts.csvFile);
    const missing = missingColumns(layout.columns, [
      { role: ID_KIND_LABELS[mapping.idKind], name: mapping.idColumn },
      { role: 'height', name: opts.heightColumn },
      { role: 'weight', name: opts.weightColumn },
    ]);
    if (missing) throw new CsvLayoutError(missing);
    const repeated = describeMappingProblems(mappingProblems(layout.columns, mapping));
    if (repeated) throw new CsvLayoutError(repeated);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = err instanceof CsvLayoutError ? err.message : e.code === 'ENOENT' ? 'file not found' : e.code === 'EISDIR' ? 'is a folder' : e.message;
    console.error(`openrem ptsize: ${opts.csvFile}: ${why}`);
    return 1;
  }
  console.log(`${opts.csvFile}: ${layout.encoding.label}, ${DELIMITER_NAMES[layout.delimiter]}-separated, matching on ${ID_KIND_LABELS[mapping.idKind]}${opts.overwrite ? ', replacing existing values' : ''}`);

  const stop = stopOnSignals((signal) => new Error(signal === 'SIGINT' ? 'stopped with Ctrl+C' : 'stopped (SIGTERM)'));
  const progress = progressLine();
  try {
    return await withDatabase(async (db, config) => {
      const log = openLog(config.dataDir);
      try {
        const imp = await createSizeImport(db, {
          source: SOURCE_COMMAND_LINE,
          fileName: basename(opts.csvFile),
          uploadPath: null,
          layout,
          startedBy: { id: null, name: null },
          mapping,
          state: 'running',
        });
        await recordAudit(db.kysely, { actor: { username: SOURCE_COMMAND_LINE }, action: 'ptsize.import', target: `size import ${imp.id}`, details: { file: imp.fileName, ...mapping } });
        const printing: Promise<void>[] = [];
        try {
          const counts = await runSizeImport(db, imp.id, opts.csvFile, mapping, {
            signal: stop.signal,
            onProgress: (p) => progress.show(p.fraction, describeCounts(p.counts)),
            onEntries: (entries) => {
              const shown = opts.verbose ? entries : entries.filter((e) => e.outcome === 'invalid');
              if (shown.length) progress.clear();
              for (const e of shown) {
                const wait = writeLine(formatLogEntry(e));
                if (wait) printing.push(wait);
              }
            },
          });
          await Promise.all(printing);
          progress.clear();
          const summary = `size import ${imp.id} done: ${describeCounts(counts)}`;
          const unlisted = unlistedCounts(counts, await countLog(db, imp.id));
          // Only what this run printed: without --verbose, rows with errors.
          for (const o of OUTCOMES) if (unlisted[o] > 0 && (opts.verbose || o === 'invalid')) console.log(describeUnlisted(o, unlisted[o]));
          console.log(summary);
          log.logger.info({ sizeImport: imp.id, file: opts.csvFile, ...counts }, summary);
          return 0;
        } catch (err) {
          progress.clear();
          const why = stop.signal.aborted ? String((stop.signal.reason as Error).message) : err instanceof Error ? err.message : String(err);
          console.error(`openrem ptsize: ${opts.csvFile}: ${why}`);
          log.logger.error({ sizeImport: imp.id, file: opts.csvFile }, `size import ${imp.id} ${stop.signal.aborted ? 'stopped' : 'failed'}: ${why}`);
          return stop.signal.aborted ? 130 : 1;
        }
      } finally {
        log.close();
      }
    });
  } finally {
    stop.release();
  }
}
