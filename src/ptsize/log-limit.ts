// How much of an import the log lists. Every study updated or kept is listed: that is the
// record of what the import did to stored data. Rows that touched no study (not found, not
// usable, nothing to import) are listed up to a limit per outcome and only counted after it,
// so a file of millions of unknown identifiers does not fill the database with one log line
// each. The import's counts stay exact; what the log leaves out is their difference.
import type { LogEntry, SizeImportCounts, SizeImportOutcome } from './store.js';

/** Rows that touched no study listed per outcome; further ones are counted only. */
export const LISTED_ROWS_PER_OUTCOME = 10_000;

export type OutcomeCounts = Record<SizeImportOutcome, number>;

/** Decides, batch after batch in the file's order, which log lines are stored. */
export class LogLimit {
  readonly #listed: OutcomeCounts = { updated: 0, skipped: 0, 'not-found': 0, invalid: 0 };

  constructor(private readonly perOutcome = LISTED_ROWS_PER_OUTCOME) {}

  /** The entries to store: all that name a study, and the others while their outcome is under the limit. */
  keep(entries: readonly LogEntry[]): LogEntry[] {
    return entries.filter((e) => e.studyId !== null || this.#listed[e.outcome]++ < this.perOutcome);
  }
}

/** Per outcome, how many the counts hold beyond the lines the log lists. */
export function unlistedCounts(counts: SizeImportCounts, listed: OutcomeCounts): OutcomeCounts {
  const beyond = (counted: number, logged: number) => Math.max(0, counted - logged);
  return {
    updated: beyond(counts.studiesUpdated, listed.updated),
    skipped: beyond(counts.skipped, listed.skipped),
    'not-found': beyond(counts.rowsNotFound, listed['not-found']),
    invalid: beyond(counts.rowsInvalid, listed.invalid),
  };
}

const UNLISTED_WORDS: Record<SizeImportOutcome, [string, string]> = {
  updated: ['study updated', 'studies updated'],
  skipped: ['row with nothing to import', 'rows with nothing to import'],
  'not-found': ['row not found', 'rows not found'],
  invalid: ['row with errors', 'rows with errors'],
};

/** What one outcome leaves out, for the log's reader: "2,990,000 more rows not found are counted but not listed". */
export function describeUnlisted(outcome: SizeImportOutcome, n: number, perOutcome = LISTED_ROWS_PER_OUTCOME): string {
  const [one, many] = UNLISTED_WORDS[outcome];
  return `${n.toLocaleString('en')} more ${n === 1 ? one : many} ${n === 1 ? 'is' : 'are'} counted but not listed: the log lists the first ${perOutcome.toLocaleString('en')} of each kind, and every study updated or kept`;
}
