// What every export file says about itself: the program and its version, what was exported
// when and by whom, and the filter that chose the studies, in words and units people read.
import { version } from '../cli/main.js';
import { maxParam, minParam, rangeFiltersFor, SEX_LABELS, textFiltersFor, type StudyFilter } from '../query/filters.js';
import type { ModalitySpec } from '../query/modalities.js';
import { formatNumber } from '../query/units.js';

export interface ExportHeading {
  /** "OpenREM 1.2.3". */
  product: string;
  /** What the file holds, e.g. "CT export (XLSX)". */
  title: string;
  /** When it was made, ISO. */
  at: string;
  /** Who asked for it. */
  by: string | null;
  /** The filter as [label, value] pairs; empty for all studies. */
  filters: [string, string][];
}

export function productName(): string {
  return `OpenREM ${version()}`;
}

const TEST_DATA_TEXT = { exclude: 'left out', only: 'only these' } as const;

/** What a file or label without patient identifiers says in place of a patient name or ID searched for. */
export const WITHHELD = '(withheld: a patient identifier)';

/**
 * The filter in words: one [label, value] per condition, in the order the list's form shows
 * them. Without `pid` (a file without patient identifiers, a task label others see) the value
 * of a patient name or ID condition is withheld: the condition is named, the person is not.
 */
export function describeFilter(spec: ModalitySpec, f: StudyFilter, opts: { pid: boolean }): [string, string][] {
  const out: [string, string][] = [];
  if (f.dateFrom) out.push(['Study date from', f.dateFrom]);
  if (f.dateTo) out.push(['Study date to', f.dateTo]);
  if (f.timeFrom) out.push(['Time of day from', f.timeFrom]);
  if (f.timeTo) out.push(['Time of day to', f.timeTo]);
  if (f.system !== undefined) out.push(['System', f.system]);
  for (const t of textFiltersFor(spec)) {
    const v = f[t.param];
    if (v !== undefined) out.push([`${t.label} contains`, 'pid' in t && t.pid && !opts.pid ? WITHHELD : v]);
  }
  for (const r of rangeFiltersFor(spec)) {
    const unit = r.unit.shown ? ` ${r.unit.shown}` : '';
    const min = f[minParam(r)];
    const max = f[maxParam(r)];
    if (min !== undefined) out.push([`${r.label} from`, `${formatNumber(min)}${unit}`]);
    if (max !== undefined) out.push([`${r.label} to`, `${formatNumber(max)}${unit}`]);
  }
  if (f.sex) out.push(['Sex', SEX_LABELS[f.sex]]);
  if (f.testData) out.push(['Test patients', TEST_DATA_TEXT[f.testData]]);
  return out;
}

/** The filter on one line: "Study date from: 2024-01-01; Total DLP from: 100 mGy·cm", or "none (all studies)". */
export function filterLine(filters: readonly [string, string][]): string {
  return filters.length ? filters.map(([k, v]) => `${k}: ${v}`).join('; ') : 'none (all studies)';
}

/** The first lines of a CSV export. */
export function csvPreamble(h: ExportHeading): string[][] {
  return [[h.product, h.title, `exported ${h.at}`, h.by ? `by ${h.by}` : ''], ['Filters', filterLine(h.filters)], []];
}
