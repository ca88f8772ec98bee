// A modality's studies as one CSV table: a row per study, its events to the right of it
// (E1 ..., E2 ..., as many groups as the study with the most events needs).
import { CsvFile } from './csv.js';
import { csvPreamble } from './describe.js';
import { countStudies, eventStats, studyPages } from './source.js';
import { countText, pageSizeFor, studyColumnsOf, type TableJob, type TableResult } from './table.js';
import type { Cell } from './cells.js';

export async function writeCsvTable(job: TableJob, path: string): Promise<TableResult> {
  const { selection, layout, signal } = job;
  const [total, stats] = await Promise.all([countStudies(selection), eventStats(selection)]);
  const studyColumns = studyColumnsOf(job);
  const eventColumns = layout.eventColumns;
  const header = studyColumns.map((c) => c.header);
  for (let i = 1; i <= stats.mostPerStudy; i++) header.push(...eventColumns.map((c) => `E${i} ${c.header}`));

  const file = await CsvFile.create(path, signal);
  try {
    for (const line of csvPreamble(job.heading)) await file.row(line);
    await file.row(header);
    let done = 0;
    for await (const page of studyPages(selection, { pageSize: pageSizeFor(total, stats.events) })) {
      signal.throwIfAborted();
      for (const study of page) {
        const cells: Cell[] = studyColumns.map((c) => c.value(study));
        for (const event of study.events) for (const c of eventColumns) cells.push(c.value(event));
        await file.row(cells);
      }
      done += page.length;
      job.progress(total ? done / total : 1, `${countText(done)} of ${countText(total)} studies written`);
    }
    await file.close();
    return { studies: done };
  } catch (err) {
    file.destroy();
    throw err;
  }
}
