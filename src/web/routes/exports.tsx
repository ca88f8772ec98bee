// Exports on the web: asking for one (a list's filter, or one fluoroscopy study for openSkin),
// the exports page, downloading and deleting files. Only users with the export role make and
// download exports, and a file with patient identifiers needs the pid role too, when it is
// asked for and again when it is downloaded. Users see their own exports, administrators all;
// to anyone else an export does not exist.
import { h } from '../jsx.js';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/log.js';
import type { AuthUser } from '../../auth/users.js';
import { deleteExportFile, getExportFile, listExportFiles, tasksWithFiles, type ExportFile } from '../../export/files.js';
import { EXPORT_KIND_NAMES, exportLabel, formatsFor, formatTakesPid, listExportKindFor, openSkinExport, parseExportFilter } from '../../export/kinds.js';
import { exportFilePath, extensionOf, type ExportFormat } from '../../export/paths.js';
import { MODALITY_SPECS } from '../../query/modalities.js';
import { countTasks, enqueueTask, listTasks, type AbortOutcome, type TaskFilter } from '../../tasks/index.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { HttpError, notFound } from '../errors.js';
import { formFields, listValue, parseId, textValue } from '../forms.js';
import { pageContext, sendPage } from '../page.js';
import { DELETE_EXPORTS_PATH, EXPORTS_PATH, ExportsPage, OPENSKIN_EXPORT_PATH } from '../views/exports.js';

const RECENT_PROBLEMS = 20;
const LIVE_LIMIT = 200;

const CONTENT_TYPES: Record<'csv' | 'xlsx', string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const ABORT_NOTICES: Partial<Record<AbortOutcome, string>> = {
  aborted: 'was aborted before it started.',
  requested: 'is being stopped; it ends within a few seconds.',
  finished: 'had already finished.',
};

function actor(user: AuthUser) {
  return { id: user.id, name: user.username };
}

function badRequest(message: string): HttpError {
  return new HttpError(400, 'Bad request', message);
}

/** Whether the user may see (and so download or delete) this export. */
function visible(user: AuthUser, f: ExportFile): boolean {
  return user.hasRole('admin') || f.startedBy.id === user.id;
}

function notice(query: Record<string, unknown>): string | null {
  const task = parseId(textValue(query.task) || textValue(query.queued));
  if (textValue(query.queued) && task !== null) return `Export #${task} is queued; it appears under Finished when its file is ready.`;
  const abort = textValue(query.abort) as AbortOutcome;
  if (task !== null && ABORT_NOTICES[abort]) return `Export #${task} ${ABORT_NOTICES[abort]}`;
  const deleted = textValue(query.deleted);
  if (/^\d{1,6}$/.test(deleted)) return deleted === '0' ? 'Nothing was deleted.' : deleted === '1' ? 'One export was deleted.' : `${deleted} exports were deleted.`;
  return null;
}

export function registerExportRoutes(ctx: AppContext): void {
  const { app, db, site, config } = ctx;

  app.get(EXPORTS_PATH, { config: { access: 'export' } }, async (request, reply) => {
    const me = currentUser(request);
    const everyone = me.hasRole('admin');
    const mine: TaskFilter = { kinds: EXPORT_KIND_NAMES, ...(everyone ? {} : { startedById: me.id }) };
    // Running exports first (they have progress and an abort button), then the queue in the
    // order it will run; the page says how many more wait beyond what it shows.
    const [running, queued, liveTotal, problems, files] = await Promise.all([
      listTasks(db, { ...mine, states: ['running'], limit: LIVE_LIMIT, oldestFirst: true }),
      listTasks(db, { ...mine, states: ['queued'], limit: LIVE_LIMIT, oldestFirst: true }),
      countTasks(db, { ...mine, states: ['queued', 'running'] }),
      listTasks(db, { ...mine, states: ['failed', 'aborted'], limit: RECENT_PROBLEMS }),
      listExportFiles(db, everyone ? undefined : me.id),
    ]);
    // A run records its file just before its task is marked done.
    const live = [...running, ...queued].slice(0, LIVE_LIMIT);
    const written = await tasksWithFiles(db, live.map((t) => t.id));
    return sendPage(
      reply,
      <ExportsPage
        ctx={pageContext(site, request)}
        live={live.filter((t) => !written.has(t.id))}
        liveTotal={liveTotal - written.size}
        files={files}
        problems={problems}
        everyone={everyone}
        notice={notice(formFields(request.query))}
      />,
    );
  });

  app.post(EXPORTS_PATH, { config: { access: 'export' } }, async (request, reply) => {
    const me = currentUser(request);
    const body = formFields(request.body);
    const spec = MODALITY_SPECS.find((s) => s.slug === textValue(body.modality));
    if (!spec) throw badRequest('Choose the modality to export from its list page.');
    const format = textValue(body.format) as ExportFormat;
    if (!formatsFor(spec.modality).includes(format)) throw badRequest(`${spec.title} studies export as ${formatsFor(spec.modality).join(', ')}, not "${format}".`);
    // Formats laid out for another reader (NHSBSP) have no patient identifier columns to fill.
    const pid = textValue(body.pid) !== '' && formatTakesPid(format);
    if (pid && !me.hasRole('pid')) {
      throw new HttpError(403, 'Not allowed', 'Exports with patient name, ID and birth date need the pid role. Ask an administrator if you need it.');
    }
    const raw = Object.fromEntries(new URLSearchParams(textValue(body.filter)));
    const filter = parseExportFilter(spec, raw, me.hasRole('pid'));
    const task = await enqueueTask(db, listExportKindFor(spec.modality), { format, pid, filter: raw }, { startedBy: actor(me), label: exportLabel(spec, format, pid, filter) });
    await recordAudit(db.kysely, { actor: me, action: 'export.queue', target: `task ${task.id}`, details: { modality: spec.modality, format, pid, filter: raw } });
    return reply.redirect(`${EXPORTS_PATH}?queued=${task.id}`, 303);
  });

  app.post(OPENSKIN_EXPORT_PATH, { config: { access: 'export' } }, async (request, reply) => {
    const me = currentUser(request);
    const id = parseId(textValue(formFields(request.body).study));
    const study = id === null ? undefined : await db.kysely.selectFrom('study').select(['id', 'modality', 'study_date']).where('id', '=', id).executeTakeFirst();
    if (!study) throw notFound('There is no such study.');
    if (study.modality !== 'RF') throw badRequest('openSkin exports are of fluoroscopy studies.');
    const label = `openSkin export of study ${study.id}${study.study_date ? ` (${study.study_date})` : ''}`;
    const task = await enqueueTask(db, openSkinExport, { studyId: study.id }, { startedBy: actor(me), label });
    await recordAudit(db.kysely, { actor: me, action: 'export.queue', target: `task ${task.id}`, details: { format: 'openskin', study: study.id } });
    return reply.redirect(`${EXPORTS_PATH}?queued=${task.id}`, 303);
  });

  /** The export of this id when the user may see it; none otherwise. */
  const visibleExport = async (request: FastifyRequest<{ Params: { id: string } }>, user: AuthUser): Promise<ExportFile> => {
    const id = parseId(request.params.id);
    const file = id === null ? undefined : await getExportFile(db, id);
    if (!file || !visible(user, file)) throw notFound(`There is no export #${request.params.id} of yours.`);
    return file;
  };

  app.get<{ Params: { id: string } }>(`${EXPORTS_PATH}/:id/download`, { config: { access: 'export' } }, async (request, reply) => {
    const me = currentUser(request);
    const file = await visibleExport(request, me);
    if (file.includesPid && !me.hasRole('pid')) {
      throw new HttpError(403, 'Not allowed', 'This export has patient name, ID and birth date: downloading it needs the pid role.');
    }
    const path = exportFilePath(config.dataDir, file.fileName);
    const size = path ? await stat(path).then((s) => s.size, () => null) : null;
    if (!path || size === null) throw notFound(`The file of export #${file.id} is missing from the exports folder.`);
    await recordAudit(db.kysely, { actor: me, action: 'export.download', target: `export ${file.id}`, details: { file: file.fileName, pid: file.includesPid } });
    return reply
      .header('content-type', CONTENT_TYPES[extensionOf(file.format)])
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('content-length', String(size))
      .header('cache-control', 'no-store')
      .send(createReadStream(path));
  });

  app.post(DELETE_EXPORTS_PATH, { config: { access: 'export' } }, async (request, reply) => {
    const me = currentUser(request);
    const ids = listValue(formFields(request.body).id).map(parseId);
    let deleted = 0;
    for (const id of ids) {
      const file = id === null ? undefined : await getExportFile(db, id);
      if (!file || !visible(me, file)) continue;
      await deleteExportFile(db, config.dataDir, file);
      await recordAudit(db.kysely, { actor: me, action: 'export.delete', target: `export ${file.id}`, details: { file: file.fileName } });
      deleted++;
    }
    return reply.redirect(`${EXPORTS_PATH}?deleted=${deleted}`, 303);
  });
}
