// The patient size import itself, for the web task and the command line alike: checks the
// whole CSV reads as a table, then reads it in batches, finds each row's studies, fills in
// (or, when asked, replaces) their height and weight, and logs every study updated or kept,
// and rows not found or not usable up to a limit (log-limit.ts).
//
// Each batch is one transaction: its updates, its log lines and its counts are committed
// together, so whatever stops an import (abort, failure) leaves the log saying exactly what
// was changed. A row with a value that is not a number, or not plausible, is not used at all.
// Height and weight live only in the study row's patient_height_m / patient_weight_kg (the
// stored report is rebuilt from them), so updating those keeps every view consistent.
import type { Transaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { SiteSettings } from '../settings/site.js';
import { loadSettings } from '../settings/store.js';
import type { CsvRecord } from './csv.js';
import { describeMappingProblems, ID_KIND_LABELS, mappingProblems, type SizeMapping } from './mapping.js';
import { LogLimit } from './log-limit.js';
import { findStudies, type StudySize } from './match.js';
import { checkRecords, CsvLayoutError, findColumn, missingColumns, readLayout, readRecords, type CsvLayout } from './read-csv.js';
import { finishSizeImport, recordBatch, setRunning, type LogEntry, type SizeImportCounts } from './store.js';
import { formatHeight, formatWeight, parseHeight, parseWeight, unitFromColumnName, type HeightUnit } from './values.js';

/** Rows per batch: one lookup query and one transaction each. */
export const BATCH_ROWS = 500;

export interface ImportProgress {
  /** 0..1 of the file read. */
  fraction: number;
  counts: SizeImportCounts;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Each log line as it is committed (the command line prints them). */
  onEntries?: (entries: readonly LogEntry[]) => void;
  batchRows?: number;
  /** Rows that touched no study listed in the log per outcome (default LISTED_ROWS_PER_OUTCOME). */
  listedRowsPerOutcome?: number;
}

interface Columns {
  /** How many columns the header names. */
  width: number;
  id: number;
  height: number | null;
  weight: number | null;
  heightUnit: HeightUnit | null;
}

function resolveColumns(layout: CsvLayout, mapping: SizeMapping): Columns {
  const wanted = [
    { role: `${ID_KIND_LABELS[mapping.idKind]}`, name: mapping.idColumn },
    ...(mapping.heightColumn === null ? [] : [{ role: 'height', name: mapping.heightColumn }]),
    ...(mapping.weightColumn === null ? [] : [{ role: 'weight', name: mapping.weightColumn }]),
  ];
  const missing = missingColumns(layout.columns, wanted);
  if (missing) throw new CsvLayoutError(missing);
  const repeated = describeMappingProblems(mappingProblems(layout.columns, mapping));
  if (repeated) throw new CsvLayoutError(repeated);
  const at = (name: string | null) => (name === null ? null : findColumn(layout.columns, name)!);
  const height = at(mapping.heightColumn);
  return {
    width: layout.columns.length,
    id: at(mapping.idColumn)!,
    height,
    weight: at(mapping.weightColumn),
    heightUnit: mapping.heightUnit === 'auto' ? (height === null ? null : unitFromColumnName(layout.columns[height]!)) : mapping.heightUnit,
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** What the skipped count holds: it counts studies where a row matched, rows where none did. */
export const SKIPPED_MEANS = 'skipped: each study left as it was, and each row with nothing to import';

export function describeCounts(c: SizeImportCounts): string {
  return (
    `${plural(c.rows, 'row')} read: ${plural(c.studiesUpdated, 'study', 'studies')} updated, ${c.skipped.toLocaleString('en')} skipped, ` +
    `${plural(c.rowsNotFound, 'row')} not found, ${plural(c.rowsInvalid, 'row')} with errors`
  );
}

/** A row read and checked, waiting for its studies to be looked up. */
interface Candidate {
  row: number;
  identifier: string;
  heightM: number | null;
  weightKg: number | null;
  /** The file's value was 0, taken as not measured (so not used). */
  heightZero: boolean;
  weightZero: boolean;
}

const ZERO_NOT_USED = 'zero is taken as not measured';

/** Why a row with no usable height or weight has nothing to import. */
function nothingToImport(heightZero: boolean, weightZero: boolean): string {
  if (heightZero && weightZero) return `height 0 and weight 0 are not usable (${ZERO_NOT_USED}): nothing to import`;
  if (heightZero) return `height 0 is not usable (${ZERO_NOT_USED}) and no weight is given: nothing to import`;
  if (weightZero) return `weight 0 is not usable (${ZERO_NOT_USED}) and no height is given: nothing to import`;
  return 'no height or weight given';
}

function sameValue(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

/** What happens to one value of a study: written or not, kept against the file's, and the words for the log. */
type FieldChange = { changed: boolean; kept: boolean; text: string | null };

function applyField(name: 'height' | 'weight', existing: number | null, given: number | null, overwrite: boolean, format: (v: number) => string): FieldChange {
  if (given === null) return { changed: false, kept: false, text: null };
  if (existing === null) return { changed: true, kept: false, text: `${name} set to ${format(given)}` };
  if (sameValue(existing, given)) return { changed: false, kept: false, text: `${name} ${format(existing)} unchanged` };
  if (overwrite) return { changed: true, kept: false, text: `${name} ${format(existing)} replaced by ${format(given)}` };
  return { changed: false, kept: true, text: `${name} ${format(existing)} kept (file: ${format(given)})` };
}

function lastNonEmpty(fields: readonly string[]): number {
  let i = fields.length - 1;
  while (i >= 0 && fields[i]!.trim() === '') i--;
  return i;
}

class BatchWork {
  readonly entries: LogEntry[] = [];
  readonly counts: SizeImportCounts = { rows: 0, studiesUpdated: 0, skipped: 0, rowsNotFound: 0, rowsInvalid: 0 };
  readonly candidates: Candidate[] = [];

  constructor(
    private readonly columns: Columns,
    private readonly mapping: SizeMapping,
    /** Identifiers are not logged when the site stores accession numbers hashed. */
    private readonly logIdentifiers: boolean,
  ) {}

  logged(identifier: string): string | null {
    return this.logIdentifiers && identifier !== '' ? identifier : null;
  }

  read(record: CsvRecord): void {
    this.counts.rows++;
    const field = (i: number | null) => (i === null ? '' : (record.fields[i] ?? ''));
    const identifier = field(this.columns.id).trim();
    const height = parseHeight(field(this.columns.height), this.columns.heightUnit);
    const weight = parseWeight(field(this.columns.weight));
    const problems = [height, weight].flatMap((p) => (p.ok ? [] : [p.problem]));
    // More values than columns means a value was split (a decimal comma in a comma-separated
    // file, most often): which value belongs to which column is then unknown.
    const values = lastNonEmpty(record.fields) + 1;
    if (values > this.columns.width) {
      problems.unshift(`${values} values where the header names ${this.columns.width} columns (a value holding the delimiter must be in quotes; a decimal comma, perhaps)`);
    }
    const idName = ID_KIND_LABELS[this.mapping.idKind];
    const entry = (outcome: LogEntry['outcome'], message: string): void => {
      this.entries.push({ row: record.row, outcome, identifier: this.logged(identifier), studyId: null, message });
    };
    if (problems.length) {
      this.counts.rowsInvalid++;
      entry('invalid', `${problems.join('; ')}: row skipped`);
      return;
    }
    const heightM = height.ok ? height.value : null;
    const weightKg = weight.ok ? weight.value : null;
    const heightZero = height.ok && height.zero === true;
    const weightZero = weight.ok && weight.zero === true;
    if (identifier === '') {
      if (heightM === null && weightKg === null) {
        this.counts.skipped++;
        entry('skipped', `no ${idName}, height or weight`);
      } else {
        this.counts.rowsInvalid++;
        entry('invalid', `no ${idName}: row skipped`);
      }
      return;
    }
    if (heightM === null && weightKg === null) {
      this.counts.skipped++;
      entry('skipped', nothingToImport(heightZero, weightZero));
      return;
    }
    this.candidates.push({ row: record.row, identifier, heightM, weightKg, heightZero, weightZero });
  }

  async apply(trx: Transaction<Database>): Promise<void> {
    const studies = await findStudies(
      trx,
      this.mapping.idKind,
      this.candidates.map((c) => c.identifier),
    );
    const idName = ID_KIND_LABELS[this.mapping.idKind];
    for (const c of this.candidates) {
      const matches = studies.get(c.identifier);
      if (!matches?.length) {
        this.counts.rowsNotFound++;
        this.entries.push({ row: c.row, outcome: 'not-found', identifier: this.logged(c.identifier), studyId: null, message: `no study with this ${idName}` });
        continue;
      }
      for (const study of matches) await this.#update(trx, c, study);
    }
    // Rows refused on reading were logged first: the log reads in the file's order.
    this.entries.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  }

  async #update(trx: Transaction<Database>, c: Candidate, study: StudySize): Promise<void> {
    const { overwrite } = this.mapping;
    const height = applyField('height', study.heightM, c.heightM, overwrite, formatHeight);
    const weight = applyField('weight', study.weightKg, c.weightKg, overwrite, formatWeight);
    const what = `study ${study.id} (${study.modality}${study.studyDate ? `, ${study.studyDate}` : ''})`;
    const zero = (name: string) => `${name} 0 in the file not used (${ZERO_NOT_USED})`;
    const details = [height.text, weight.text, c.heightZero ? zero('height') : null, c.weightZero ? zero('weight') : null].filter(Boolean).join('; ');
    if (height.changed || weight.changed) {
      let update = trx.updateTable('study').where('id', '=', study.id);
      // The values read are the condition of the write: another import that changed them in
      // the meantime is never overwritten unknowingly.
      update = update.where('patient_height_m', study.heightM === null ? 'is' : '=', study.heightM);
      update = update.where('patient_weight_kg', study.weightKg === null ? 'is' : '=', study.weightKg);
      if (height.changed) update = update.set({ patient_height_m: c.heightM });
      if (weight.changed) update = update.set({ patient_weight_kg: c.weightKg });
      const written = await update.executeTakeFirst();
      if (written.numUpdatedRows === 0n) {
        this.counts.skipped++;
        this.entries.push({ row: c.row, outcome: 'skipped', identifier: this.logged(c.identifier), studyId: study.id, message: `${what}: not updated, as its height or weight changed while this import ran` });
        return;
      }
      // A later row of the same batch sees what this one wrote.
      if (height.changed) study.heightM = c.heightM;
      if (weight.changed) study.weightKg = c.weightKg;
      this.counts.studiesUpdated++;
      this.entries.push({ row: c.row, outcome: 'updated', identifier: this.logged(c.identifier), studyId: study.id, message: `${what}: ${details}` });
    } else {
      this.counts.skipped++;
      const kept = height.kept || weight.kept;
      this.entries.push({
        row: c.row,
        outcome: 'skipped',
        identifier: this.logged(c.identifier),
        studyId: study.id,
        message: `${what}: ${details}${kept ? ' (existing values are kept unless "overwrite" is chosen)' : ''}`,
      });
    }
  }
}

function add(total: SizeImportCounts, more: SizeImportCounts): void {
  total.rows += more.rows;
  total.studiesUpdated += more.studiesUpdated;
  total.skipped += more.skipped;
  total.rowsNotFound += more.rowsNotFound;
  total.rowsInvalid += more.rowsInvalid;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a stored import on `path` with its mapping. The import's state, counts and log are
 * kept up to date; it ends done, or failed/aborted with the reason (which is then thrown).
 */
export async function runSizeImport(db: Db, importId: number, path: string, mapping: SizeMapping, opts: RunOptions = {}): Promise<SizeImportCounts> {
  const total: SizeImportCounts = { rows: 0, studiesUpdated: 0, skipped: 0, rowsNotFound: 0, rowsInvalid: 0 };
  await setRunning(db, importId);
  try {
    const layout = await readLayout(path);
    const columns = resolveColumns(layout, mapping);
    // Before any study is changed: a file that breaks off part-way is refused whole.
    await checkRecords(path, layout, opts.signal);
    const settings: SiteSettings = await loadSettings(db.kysely);
    const logIdentifiers = !(mapping.idKind === 'accession' && settings.patientId.hashAccessionNumber);
    const limit = new LogLimit(opts.listedRowsPerOutcome);
    for await (const batch of readRecords(path, layout, opts.batchRows ?? BATCH_ROWS)) {
      opts.signal?.throwIfAborted();
      const work = new BatchWork(columns, mapping, logIdentifiers);
      for (const record of batch.records) work.read(record);
      let listed: LogEntry[] = [];
      await db.kysely.transaction().execute(async (trx) => {
        await work.apply(trx);
        listed = limit.keep(work.entries);
        await recordBatch(trx, importId, listed, work.counts);
      });
      add(total, work.counts);
      opts.onEntries?.(listed);
      opts.onProgress?.({ fraction: layout.bytes ? batch.bytesRead / layout.bytes : 1, counts: { ...total } });
    }
    opts.signal?.throwIfAborted();
  } catch (err) {
    const aborted = opts.signal?.aborted === true;
    const why = aborted ? errorText(opts.signal!.reason) : errorText(err);
    const reason = total.studiesUpdated > 0 ? `${why}; the ${plural(total.studiesUpdated, 'study', 'studies')} updated before then stay updated (see the log)` : why;
    await finishSizeImport(db, importId, aborted ? 'aborted' : 'failed', reason);
    throw err;
  }
  await finishSizeImport(db, importId, 'done', null);
  return total;
}
