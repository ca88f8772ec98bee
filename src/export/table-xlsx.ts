// A modality's studies as a workbook: a summary sheet (what this is, the filter, and the
// frequencies of study descriptions, requested procedures and acquisition protocols), an
// "All data" sheet with a row per study and its events to the right, and a sheet per
// acquisition protocol with a row per event. Sheets are written one after another.
import type { Cell } from './cells.js';
import { filterLine } from './describe.js';
import { SheetNames } from './sheet-names.js';
import { countStudies, eventStats, protocolFrequencies, studyFrequencies, studyPages, type Frequency } from './source.js';
import { countText, pageSizeFor, studyColumnsOf, type TableJob, type TableResult } from './table.js';
import { MAX_SHEET_COLUMNS, XlsxFile } from './xlsx.js';

export const SUMMARY_SHEET = 'Summary';
export const ALL_DATA_SHEET = 'All data';
/** Shown for a description, procedure or protocol not recorded. */
const NONE = '(not recorded)';

interface ProtocolSheet {
  protocol: Frequency;
  sheet: string;
}

function byName(a: Frequency, b: Frequency): number {
  if (a.value === null || b.value === null) return a.value === null ? (b.value === null ? 0 : 1) : -1;
  return a.value.localeCompare(b.value, 'en', { sensitivity: 'base' }) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

/** Rows of side-by-side tables, each [value, count] pair (plus extra cells) in its own columns. */
function sideBySide(tables: readonly (readonly Cell[][])[], widths: readonly number[]): Cell[][] {
  const rows: Cell[][] = [];
  const height = Math.max(0, ...tables.map((t) => t.length));
  for (let i = 0; i < height; i++) {
    const row: Cell[] = [];
    tables.forEach((t, n) => {
      const cells = t[i] ?? [];
      for (let c = 0; c < widths[n]!; c++) row.push(cells[c] ?? null);
      if (n < tables.length - 1) row.push(null);
    });
    rows.push(row);
  }
  return rows;
}

export async function writeXlsxTable(job: TableJob, path: string): Promise<TableResult> {
  const { selection, layout, signal, heading } = job;
  const hasEvents = layout.eventColumns.length > 0;
  const [total, stats, descriptions, procedures, protocols] = await Promise.all([
    countStudies(selection),
    eventStats(selection),
    studyFrequencies(selection, 'study_description'),
    studyFrequencies(selection, 'requested_procedure'),
    hasEvents ? protocolFrequencies(selection) : Promise.resolve([]),
  ]);
  const names = new SheetNames([SUMMARY_SHEET, ALL_DATA_SHEET]);
  const sheets: ProtocolSheet[] = [...protocols].sort(byName).map((protocol) => ({ protocol, sheet: names.take(protocol.value) }));
  const studyColumns = studyColumnsOf(job);
  const eventColumns = layout.eventColumns;
  // A worksheet has at most 16,384 columns: a study with more events than fit shows the first
  // ones here, and every event on its protocol's sheet.
  const eventsShown = hasEvents ? Math.min(stats.mostPerStudy, Math.floor((MAX_SHEET_COLUMNS - studyColumns.length) / eventColumns.length)) : 0;
  const work = total + stats.events;
  let done = 0;
  const advance = (n: number, what: string) => {
    done += n;
    job.progress(work ? done / work : 1, what);
  };

  const book = new XlsxFile(path, signal);
  try {
    const summary = book.sheet(SUMMARY_SHEET, [heading.product, heading.title]);
    await summary.row(['Exported', heading.at]);
    await summary.row(['By', heading.by]);
    await summary.row(['Filters', filterLine(heading.filters)]);
    for (const [label, value] of heading.filters) await summary.row([null, label, value]);
    await summary.row(['Studies', total]);
    if (hasEvents) await summary.row(['Irradiation events', stats.events]);
    if (eventsShown < stats.mostPerStudy) {
      await summary.row(['Note', `The ${ALL_DATA_SHEET} sheet shows the first ${eventsShown} events of each study (a sheet has at most ${MAX_SHEET_COLUMNS} columns); every event is on its protocol's sheet.`]);
    }
    await summary.row([]);
    const tables: Cell[][][] = [
      [['Study description', 'Frequency'], ...descriptions.map((f) => [f.value ?? NONE, f.count])],
      [['Requested procedure', 'Frequency'], ...procedures.map((f) => [f.value ?? NONE, f.count])],
    ];
    const widths = [2, 2];
    if (hasEvents) {
      tables.push([['Acquisition protocol', 'Events', 'Sheet'], ...protocols.map((f) => [f.value ?? NONE, f.count, sheets.find((s) => s.protocol === f)!.sheet])]);
      widths.push(3);
    }
    for (const row of sideBySide(tables, widths)) await summary.row(row);
    await summary.end();

    const header = studyColumns.map((c) => c.header);
    for (let i = 1; i <= eventsShown; i++) header.push(...eventColumns.map((c) => `E${i} ${c.header}`));
    const all = book.sheet(ALL_DATA_SHEET, header, names);
    const pageSize = pageSizeFor(total, stats.events);
    let studies = 0;
    for await (const page of studyPages(selection, { pageSize })) {
      signal.throwIfAborted();
      for (const study of page) {
        const cells: Cell[] = studyColumns.map((c) => c.value(study));
        for (const event of study.events.slice(0, eventsShown)) for (const c of eventColumns) cells.push(c.value(event));
        await all.row(cells);
      }
      studies += page.length;
      advance(page.length, `${ALL_DATA_SHEET}: ${countText(studies)} of ${countText(total)} studies`);
    }
    await all.end();

    const protocolHeader = [...studyColumns.map((c) => c.header), ...eventColumns.map((c) => c.header)];
    for (const [i, { protocol, sheet }] of sheets.entries()) {
      const out = book.sheet(sheet, protocolHeader, names);
      for await (const page of studyPages(selection, { pageSize, protocol })) {
        signal.throwIfAborted();
        let events = 0;
        for (const study of page) {
          const studyCells = studyColumns.map((c) => c.value(study));
          for (const event of study.events) await out.row([...studyCells, ...eventColumns.map((c) => c.value(event))]);
          events += study.events.length;
        }
        advance(events, `protocol sheet ${i + 1} of ${sheets.length}: ${sheet}`);
      }
      await out.end();
    }
    await book.commit();
    return { studies };
  } catch (err) {
    book.destroy();
    throw err;
  }
}
