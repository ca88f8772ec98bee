// The export tasks: one kind per modality (its list's filter to CSV, XLSX, or for mammography
// the NHSBSP dose-audit CSV) and the openSkin export of one fluoroscopy study. A run writes
// "<name>.<attempt>.partial" under media/exports, renames it when complete and records the file; it may
// run again from the start after its worker died, overwriting its own partial output, and
// once it will not, the worker that found it removes that output.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { filterSchema, parseQuery, QueryError, type StudyFilter } from '../query/filters.js';
import { MODALITY_SPECS, type ModalitySpec } from '../query/modalities.js';
import type { Modality } from '../report/types.js';
import { utcText } from '../time.js';
import { defineTaskKind, getTask, type AbandonedTask, type AnyTaskKind, type TaskContext, type TaskKind } from '../tasks/index.js';
import { describeFilter, filterLine, productName, type ExportHeading } from './describe.js';
import { recordExportFile, tasksWithFiles } from './files.js';
import { layoutFor } from './layouts/index.js';
import { writeNhsbspCsv } from './nhsbsp.js';
import { writeOpenSkinCsv } from './openskin.js';
import { exportFileName, exportsDir, partialPath, removeAbandonedPartials, removePartials, type ExportFormat } from './paths.js';
import type { TableJob, TableResult } from './table.js';
import { writeCsvTable } from './table-csv.js';
import { writeXlsxTable } from './table-xlsx.js';

export const FORMAT_LABELS: Record<ExportFormat, string> = { csv: 'CSV', xlsx: 'XLSX', nhsbsp: 'NHSBSP dose audit CSV', openskin: 'openSkin CSV' };

/** The formats a modality's list exports to. */
export function formatsFor(modality: Modality): ExportFormat[] {
  return modality === 'MG' ? ['csv', 'xlsx', 'nhsbsp'] : ['csv', 'xlsx'];
}

/** Formats whose layout is fixed by their reader and has no place for patient identifiers. */
export function formatTakesPid(format: ExportFormat): boolean {
  return format === 'csv' || format === 'xlsx';
}

/** The list's filter parameters, as its URL had them, checked against the modality's filter. */
export function parseExportFilter(spec: ModalitySpec, raw: Record<string, string>, pid: boolean): StudyFilter {
  return parseQuery(filterSchema(spec, { pid }), raw);
}

export interface ListExportParams {
  format: ExportFormat;
  /** Patient name, ID and birth date columns. */
  pid: boolean;
  /** The list's filter parameters. */
  filter: Record<string, string>;
}

export interface ExportResult {
  file: string;
  studies: number;
  sizeBytes: number;
}

function listParamsSchema(spec: ModalitySpec) {
  const formats = formatsFor(spec.modality) as [ExportFormat, ...ExportFormat[]];
  return z
    .object({ format: z.enum(formats), pid: z.boolean(), filter: z.record(z.string(), z.string()) })
    .strict()
    .superRefine((p, ctx) => {
      if (p.pid && !formatTakesPid(p.format)) ctx.addIssue({ code: 'custom', path: ['pid'], message: `the ${FORMAT_LABELS[p.format]} has no patient identifier columns` });
      try {
        // Who may filter by patient identifiers was checked when the export was asked for.
        parseExportFilter(spec, p.filter, true);
      } catch (err) {
        if (!(err instanceof QueryError)) throw err;
        for (const problem of err.problems) ctx.addIssue({ code: 'custom', path: ['filter'], message: problem });
      }
    });
}

interface ExportRun {
  modality: Modality;
  format: ExportFormat;
  pid: boolean;
  title: string;
  headingFilters: [string, string][];
  /** What the export file's record keeps of the filter. */
  filters: Record<string, string>;
  write(path: string, heading: ExportHeading): Promise<TableResult>;
}

async function runExport(ctx: TaskContext, run: ExportRun): Promise<ExportResult> {
  const started = new Date();
  const task = await getTask(ctx.db, ctx.taskId);
  const dir = exportsDir(ctx.dataDir);
  await mkdir(dir, { recursive: true });
  await removeAbandonedPartials(ctx.db, ctx.dataDir);
  const name = exportFileName(run.modality, run.format, run.pid, ctx.taskId);
  const final = join(dir, name);
  // An earlier attempt's file (its worker died, or stalled and lost the task) is of no use.
  await removePartials(ctx.dataDir, name);
  const partial = partialPath(final, ctx.attempt);
  ctx.removeOnFailure(partial);
  ctx.removeOnFailure(final);
  ctx.progress(0, 'reading the studies');
  const heading: ExportHeading = { product: productName(), title: run.title, at: utcText(started.toISOString()), by: ctx.startedBy.name, filters: run.headingFilters };
  const result = await run.write(partial, heading);
  await ctx.confirmStillMine();
  await rename(partial, final);
  const { size } = await stat(final);
  const finished = new Date();
  await recordExportFile(ctx.db, {
    taskId: ctx.taskId,
    modality: run.modality,
    format: run.format,
    includesPid: run.pid,
    label: task?.label ?? run.title,
    fileName: name,
    sizeBytes: size,
    studies: result.studies,
    filters: run.filters,
    startedBy: ctx.startedBy,
    createdAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
  });
  return { file: name, studies: result.studies, sizeBytes: size };
}

/** What a run whose worker died left: its partial file, and a complete one it did not record. */
async function removeUnfinished(task: AbandonedTask<unknown>, name: string): Promise<void> {
  const final = join(exportsDir(task.dataDir), name);
  await removePartials(task.dataDir, name);
  if (!(await tasksWithFiles(task.db, [task.taskId])).has(task.taskId)) await rm(final, { force: true });
}

export function exportTitle(spec: ModalitySpec, format: ExportFormat, pid: boolean): string {
  return `${spec.title} export (${FORMAT_LABELS[format]}${pid ? ', with patient identifiers' : ''})`;
}

/** A task label: what is exported and the filter, short enough for a list (seen by admins without the pid role too). */
export function exportLabel(spec: ModalitySpec, format: ExportFormat, pid: boolean, filter: StudyFilter): string {
  const line = filterLine(describeFilter(spec, filter, { pid: false }));
  const label = `${exportTitle(spec, format, pid)}: ${line}`;
  return label.length > 200 ? `${label.slice(0, 199)}…` : label;
}

function listExportKind(spec: ModalitySpec): TaskKind<ListExportParams, ExportResult> {
  return defineTaskKind({
    name: `export.${spec.slug}`,
    title: `${spec.title} export`,
    params: listParamsSchema(spec),
    retry: true,
    run(params, ctx) {
      const filter = parseExportFilter(spec, params.filter, true);
      const headingFilters = describeFilter(spec, filter, { pid: params.pid });
      return runExport(ctx, {
        modality: spec.modality,
        format: params.format,
        pid: params.pid,
        title: exportTitle(spec, params.format, params.pid),
        headingFilters,
        filters: params.filter,
        write(path, heading) {
          const progress = (fraction: number, message: string) => ctx.progress(fraction, message);
          const selection = { db: ctx.db, spec, filter };
          if (params.format === 'nhsbsp') return writeNhsbspCsv({ selection, heading, signal: ctx.signal, progress }, path);
          const job: TableJob = { selection, layout: layoutFor(spec.modality), pid: params.pid, heading, signal: ctx.signal, progress };
          return params.format === 'xlsx' ? writeXlsxTable(job, path) : writeCsvTable(job, path);
        },
      });
    },
    abandoned: (task) => removeUnfinished(task, exportFileName(spec.modality, task.params.format, task.params.pid, task.taskId)),
  });
}

/** One export kind per modality, in the order of MODALITY_SPECS. */
export const LIST_EXPORT_KINDS: readonly TaskKind<ListExportParams, ExportResult>[] = MODALITY_SPECS.map(listExportKind);

export function listExportKindFor(modality: Modality): TaskKind<ListExportParams, ExportResult> {
  return LIST_EXPORT_KINDS[MODALITY_SPECS.findIndex((s) => s.modality === modality)]!;
}

export interface OpenSkinParams {
  studyId: number;
}

export const OPENSKIN_TITLE = 'openSkin export (values in DICOM SR units: DAP Gy·m², dose at RP Gy)';

export const openSkinExport: TaskKind<OpenSkinParams, ExportResult> = defineTaskKind({
  name: 'export.openskin',
  title: 'openSkin export',
  params: z.object({ studyId: z.number().int().positive() }).strict(),
  retry: true,
  run(params, ctx) {
    return runExport(ctx, {
      modality: 'RF',
      format: 'openskin',
      pid: false,
      title: OPENSKIN_TITLE,
      headingFilters: [['Study', String(params.studyId)]],
      filters: { study: String(params.studyId) },
      write: (path, heading) => writeOpenSkinCsv({ db: ctx.db, studyId: params.studyId, heading, signal: ctx.signal, progress: (f, m) => ctx.progress(f, m) }, path),
    });
  },
  abandoned: (task) => removeUnfinished(task, exportFileName('RF', 'openskin', false, task.taskId)),
});

/** Every export kind (for the task registry and the exports page). */
export const EXPORT_KINDS: readonly AnyTaskKind[] = [...LIST_EXPORT_KINDS, openSkinExport];

export const EXPORT_KIND_NAMES: readonly string[] = EXPORT_KINDS.map((k) => k.name);
