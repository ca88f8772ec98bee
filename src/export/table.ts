// What the CSV and XLSX exports of a modality share: the job they do, the columns of a study
// row, and how many studies to read at a time.
import type { Column } from './cells.js';
import type { ExportHeading } from './describe.js';
import type { ExportLayout } from './layouts/index.js';
import type { ExportSelection, ExportStudy } from './source.js';
import { commonColumns } from './study-columns.js';

export interface TableJob {
  selection: ExportSelection;
  layout: ExportLayout;
  /** Include patient name, ID and birth date. */
  pid: boolean;
  heading: ExportHeading;
  signal: AbortSignal;
  progress(fraction: number, message: string): void;
}

export interface TableResult {
  studies: number;
}

/** The columns of a study: the common ones, then the modality's totals. */
export function studyColumnsOf(job: TableJob): Column<ExportStudy>[] {
  return [...commonColumns(job.layout.modality, job.pid), ...job.layout.studyColumns];
}

/**
 * Events read per page, about. A page lives while it is written, long enough for the garbage
 * collector to move it to the old generation, which then grows by pages until its next full
 * collection: measured on 100,000 CT studies, pages of 500 studies (2,500 events) peaked at
 * 344 MB resident for XLSX and 207 MB for CSV, pages of 100 at 263 MB and 167 MB, no slower.
 */
const EVENTS_PER_PAGE = 1000;
const MAX_STUDIES_PER_PAGE = 100;

/** Studies per page for an average number of events per study. */
export function pageSizeFor(studies: number, events: number): number {
  const perStudy = studies > 0 ? events / studies : 0;
  return Math.max(10, Math.min(MAX_STUDIES_PER_PAGE, Math.floor(EVENTS_PER_PAGE / Math.max(1, perStudy))));
}

export function countText(n: number): string {
  return n.toLocaleString('en-GB');
}
