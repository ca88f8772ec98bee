// An import's log as a CSV download, streamed a page at a time so a log of any length is sent
// in constant memory. Rows the log counts but does not list (log-limit.ts) are summed up in a
// last line per outcome, so the file says what it leaves out.
import type { Db } from '../db/connect.js';
import { describeUnlisted, unlistedCounts } from './log-limit.js';
import { countLog, OUTCOMES, streamLog, type SizeImport } from './store.js';

function cell(v: string | number | null): string {
  const text = v === null ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function line(values: readonly (string | number | null)[]): string {
  return `${values.map(cell).join(',')}\r\n`;
}

/** The lines of the log's CSV, header first, each ending in CRLF. */
export async function* logCsvLines(db: Db, imp: Pick<SizeImport, 'id' | 'counts'>): AsyncGenerator<string> {
  yield line(['row', 'outcome', 'identifier', 'study', 'message']);
  for await (const e of streamLog(db, imp.id)) yield line([e.row, e.outcome, e.identifier, e.studyId, e.message]);
  const unlisted = unlistedCounts(imp.counts, await countLog(db, imp.id));
  for (const outcome of OUTCOMES) if (unlisted[outcome] > 0) yield line([null, outcome, null, null, describeUnlisted(outcome, unlisted[outcome])]);
}
