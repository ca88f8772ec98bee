// Patient size imports on the web (importsize role): upload a CSV, choose its columns, follow
// the import as a background task, read its log; the history lists every import (web and
// command line) and lets them be deleted. Uploads stream to the data folder, never to memory.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { h } from '../jsx.js';
import { z } from 'zod';
import { recordAudit } from '../../audit/log.js';
import { guessMapping, mappingProblems, sizeMappingSchema, type SizeMapping } from '../../ptsize/mapping.js';
import { logCsvLines } from '../../ptsize/log-csv.js';
import { unlistedCounts } from '../../ptsize/log-limit.js';
import { checkRecords, CsvLayoutError, readLayout } from '../../ptsize/read-csv.js';
import {
  countLog,
  countSizeImports,
  createSizeImport,
  deleteSizeImportRow,
  getSizeImport,
  listSizeImports,
  mayDelete,
  OUTCOMES,
  readLog,
  setQueued,
  settleWithTask,
  SOURCE_WEB,
  type SizeImport,
  type SizeImportOutcome,
} from '../../ptsize/store.js';
import { sizeImportTask } from '../../ptsize/task.js';
import { newUploadPath, removeUpload, sweepUploads, uploadFile } from '../../ptsize/uploads.js';
import { enqueueTask, getTask, type TaskRecord } from '../../tasks/index.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { HttpError, notFound } from '../errors.js';
import { fileSizeText } from '../file-size.js';
import { checkboxValue, fieldErrors, formFields, parseId, textValue } from '../forms.js';
import { pageContext, sendPage } from '../page.js';
import { ColumnsPage, columnsPath, FILE_FIELD, ImportPage, importPath, PTSIZE_PATH, UploadPage, type ColumnFormValues } from '../views/ptsize.js';

/** Largest upload; the file is streamed to disk and read in batches, so size costs time only. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
const HISTORY_PAGE = 25;
const LOG_PAGE = 200;

interface Upload {
  absolute: string;
  stored: string;
  fileName: string;
  /** Taken over by an import: not removed when the request ends. */
  kept: boolean;
}

function parsePage(value: unknown): number {
  const text = textValue(value);
  return /^[1-9]\d{0,6}$/.test(text) ? Number(text) : 1;
}

function isOutcome(text: string): text is SizeImportOutcome {
  return (OUTCOMES as readonly string[]).includes(text);
}

/** The file name as the browser gave it, without any folder, for display. */
function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop()?.trim() ?? '';
  return (base || 'upload.csv').slice(0, 200);
}

const columnFormSchema = z.object({
  idColumn: z.preprocess(textValue, z.string()),
  idKind: z.preprocess(textValue, z.string()),
  heightColumn: z.preprocess((v) => textValue(v) || null, z.string().nullable()),
  weightColumn: z.preprocess((v) => textValue(v) || null, z.string().nullable()),
  heightUnit: z.preprocess(textValue, z.string()),
  overwrite: z.preprocess(checkboxValue, z.boolean()),
});

function formValues(fields: Record<string, unknown>): ColumnFormValues {
  const kind = textValue(fields.idKind);
  const unit = textValue(fields.heightUnit);
  return {
    idColumn: textValue(fields.idColumn),
    idKind: kind === 'study-uid' ? 'study-uid' : 'accession',
    heightColumn: textValue(fields.heightColumn),
    weightColumn: textValue(fields.weightColumn),
    heightUnit: unit === 'cm' || unit === 'm' ? unit : 'auto',
    overwrite: checkboxValue(fields.overwrite),
  };
}

export function registerPtsizeRoutes(ctx: AppContext): void {
  const { app, db, site, config } = ctx;
  const uploads = new WeakMap<FastifyRequest, Upload>();

  /** The tasks of imports still queued or running, after settling those whose task has ended. */
  const withTasks = async (imports: SizeImport[]): Promise<{ imports: SizeImport[]; tasks: Map<number, TaskRecord> }> => {
    const settled = await Promise.all(imports.map((imp) => settleWithTask(db, imp)));
    const tasks = new Map<number, TaskRecord>();
    for (const imp of settled) {
      if (imp.taskId === null || (imp.state !== 'queued' && imp.state !== 'running')) continue;
      const task = await getTask(db, imp.taskId);
      if (task) tasks.set(task.id, task);
    }
    return { imports: settled, tasks };
  };

  const uploadPage = async (request: FastifyRequest, error: string | null, notice: string | null) => {
    const page = parsePage(formFields(request.query).page);
    const pageCount = Math.max(1, Math.ceil((await countSizeImports(db)) / HISTORY_PAGE));
    const { imports, tasks } = await withTasks(await listSizeImports(db, { limit: HISTORY_PAGE, offset: (Math.min(page, pageCount) - 1) * HISTORY_PAGE }));
    return (
      <UploadPage
        ctx={pageContext(site, request)}
        imports={imports}
        tasks={tasks}
        page={Math.min(page, pageCount)}
        pageCount={pageCount}
        maxUploadBytes={MAX_UPLOAD_BYTES}
        error={error}
        notice={notice}
      />
    );
  };

  const loadImport = async (idText: string): Promise<SizeImport> => {
    const id = parseId(idText);
    const imp = id === null ? undefined : await getSizeImport(db, id);
    if (!imp) throw notFound(`There is no patient size import ${idText}.`);
    return settleWithTask(db, imp);
  };

  app.get(PTSIZE_PATH, { config: { access: 'importsize' } }, async (request, reply) => {
    const query = formFields(request.query);
    const deleted = parseId(textValue(query.deleted));
    return sendPage(reply, await uploadPage(request, null, deleted === null ? null : `Import #${deleted} and its log deleted.`));
  });

  // The upload, in a scope of its own: only this route reads multipart bodies.
  app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, parts: 12, fieldSize: 1024 },
      async onFile(this: FastifyRequest, part: MultipartFile) {
        if (part.fieldname !== FILE_FIELD || uploads.has(this)) {
          part.file.resume();
          return;
        }
        const target = await newUploadPath(config.dataDir);
        const upload: Upload = { ...target, fileName: displayName(part.filename), kept: false };
        uploads.set(this, upload);
        await pipeline(part.file, createWriteStream(upload.absolute));
        if (part.file.truncated) {
          throw new HttpError(413, 'File too large', `The file is larger than ${fileSizeText(MAX_UPLOAD_BYTES)}, the most that can be uploaded. Split it into smaller files.`);
        }
      },
    });
    // Whatever the outcome (refused, failed, not a CSV), an upload no import took is deleted.
    scope.addHook('onResponse', async (request) => {
      const upload = uploads.get(request);
      if (upload && !upload.kept) await rm(upload.absolute, { force: true });
    });

    scope.post(PTSIZE_PATH, { config: { access: 'importsize' } }, async (request, reply) => {
      const me = currentUser(request);
      const upload = uploads.get(request);
      if (!upload) return sendPage(reply, await uploadPage(request, 'choose a CSV file to upload', null), 400);
      await sweepUploads(db, config.dataDir);
      let layout;
      try {
        layout = await readLayout(upload.absolute);
        // Read through now, so a file that breaks off part-way is refused before columns are chosen.
        await checkRecords(upload.absolute, layout);
      } catch (err) {
        if (!(err instanceof CsvLayoutError)) throw err;
        request.log.info({ file: upload.fileName, reason: err.message }, 'patient size upload refused');
        return sendPage(reply, await uploadPage(request, `${upload.fileName}: ${err.message}`, null), 400);
      }
      const imp = await createSizeImport(db, {
        source: SOURCE_WEB,
        fileName: upload.fileName,
        uploadPath: upload.stored,
        layout,
        startedBy: { id: me.id, name: me.username },
        state: 'uploaded',
      });
      upload.kept = true;
      return reply.redirect(columnsPath(imp.id), 303);
    });
  });

  app.get<{ Params: { id: string } }>(`${PTSIZE_PATH}/:id/columns`, { config: { access: 'importsize' } }, async (request, reply) => {
    const imp = await loadImport(request.params.id);
    if (imp.state !== 'uploaded') return reply.redirect(importPath(imp.id), 303);
    const file = imp.uploadPath === null ? null : uploadFile(config.dataDir, imp.uploadPath);
    const layout = file ? await readLayout(file).catch(() => null) : null;
    const guess = guessMapping(imp.columns);
    const values: ColumnFormValues = {
      idColumn: guess.idColumn ?? '',
      idKind: guess.idKind,
      heightColumn: guess.heightColumn ?? '',
      weightColumn: guess.weightColumn ?? '',
      heightUnit: 'auto',
      overwrite: false,
    };
    return sendPage(reply, <ColumnsPage ctx={pageContext(site, request)} imp={imp} preview={layout?.preview ?? []} values={values} />);
  });

  app.post<{ Params: { id: string } }>(`${PTSIZE_PATH}/:id/columns`, { config: { access: 'importsize' } }, async (request, reply) => {
    const me = currentUser(request);
    const imp = await loadImport(request.params.id);
    if (imp.state !== 'uploaded') return reply.redirect(importPath(imp.id), 303);
    const fields = formFields(request.body);
    const again = async (errors: Record<string, string>) => {
      const file = imp.uploadPath === null ? null : uploadFile(config.dataDir, imp.uploadPath);
      const layout = file ? await readLayout(file).catch(() => null) : null;
      return sendPage(reply, <ColumnsPage ctx={pageContext(site, request)} imp={imp} preview={layout?.preview ?? []} values={formValues(fields)} errors={errors} />, 400);
    };
    const parsed = columnFormSchema.pipe(sizeMappingSchema).safeParse(fields);
    if (!parsed.success) return again(fieldErrors(parsed.error));
    const mapping: SizeMapping = parsed.data;
    const problems = mappingProblems(imp.columns, mapping);
    if (Object.keys(problems).length) return again(problems);
    const task = await enqueueTask(db, sizeImportTask, { importId: imp.id }, { startedBy: { id: me.id, name: me.username }, label: `Patient size import #${imp.id} (${imp.fileName})` });
    if (!(await setQueued(db, imp.id, mapping, task.id))) {
      // Two submissions of the same form: the first one's task runs.
      await db.kysely.deleteFrom('task').where('id', '=', task.id).where('state', '=', 'queued').execute();
      return reply.redirect(importPath(imp.id), 303);
    }
    await recordAudit(db.kysely, { actor: me, action: 'ptsize.import', target: `size import ${imp.id}`, details: { file: imp.fileName, ...mapping } });
    return reply.redirect(importPath(imp.id), 303);
  });

  app.get<{ Params: { id: string } }>(`${PTSIZE_PATH}/:id`, { config: { access: 'importsize' } }, async (request, reply) => {
    const imp = await loadImport(request.params.id);
    if (imp.state === 'uploaded') return reply.redirect(columnsPath(imp.id), 303);
    const query = formFields(request.query);
    const outcomeText = textValue(query.outcome);
    const outcome = isOutcome(outcomeText) ? outcomeText : null;
    const outcomeCounts = await countLog(db, imp.id);
    const total = outcome ? outcomeCounts[outcome] : OUTCOMES.reduce((n, o) => n + outcomeCounts[o], 0);
    const pageCount = Math.max(1, Math.ceil(total / LOG_PAGE));
    const page = Math.min(parsePage(query.page), pageCount);
    const entries = await readLog(db, imp.id, { ...(outcome ? { outcome } : {}), limit: LOG_PAGE, offset: (page - 1) * LOG_PAGE });
    const task = imp.taskId === null || (imp.state !== 'queued' && imp.state !== 'running') ? null : ((await getTask(db, imp.taskId)) ?? null);
    const abort = textValue(query.abort);
    const notice = abort === 'requested' ? 'The import is being stopped; studies updated so far stay updated and are listed in the log.' : abort === 'aborted' ? 'The import was cancelled before it started.' : null;
    return sendPage(
      reply,
      <ImportPage
        ctx={pageContext(site, request)}
        imp={imp}
        task={task}
        entries={entries}
        outcomeCounts={outcomeCounts}
        unlisted={unlistedCounts(imp.counts, outcomeCounts)}
        outcome={outcome}
        page={page}
        pageCount={pageCount}
        notice={notice}
      />,
    );
  });

  app.get<{ Params: { id: string } }>(`${PTSIZE_PATH}/:id/log.csv`, { config: { access: 'importsize' } }, async (request, reply) => {
    const imp = await loadImport(request.params.id);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="size-import-${imp.id}-log.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(logCsvLines(db, imp)));
  });

  app.post<{ Params: { id: string } }>(`${PTSIZE_PATH}/:id/delete`, { config: { access: 'importsize' } }, async (request, reply) => {
    const me = currentUser(request);
    const imp = await loadImport(request.params.id);
    if (!mayDelete(imp)) {
      throw new HttpError(409, 'Import still running', `Import #${imp.id} has not finished: abort it first, then delete it.`);
    }
    await removeUpload(db, config.dataDir, imp);
    await deleteSizeImportRow(db, imp.id);
    await recordAudit(db.kysely, { actor: me, action: 'ptsize.delete', target: `size import ${imp.id}`, details: { file: imp.fileName, state: imp.state, ...imp.counts } });
    return reply.redirect(`${PTSIZE_PATH}?deleted=${imp.id}`, 303);
  });
}
