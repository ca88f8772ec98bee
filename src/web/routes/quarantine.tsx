// The quarantine in the interface (admin role): files that failed to import with their
// reason, a retry of them all as a background task, and deleting one for good (recorded in the
// audit log). Files are named by "YYYY-MM-DD/name" inside the quarantine folder; any other
// name, or one reaching outside the folder, is refused.
import { lstat, rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { h } from '../jsx.js';
import { recordAudit } from '../../audit/log.js';
import { noteFileFor, quarantineDir } from '../../ingest/file-disposition.js';
import { retryQuarantineTask } from '../../ingest/quarantine-task.js';
import { quarantinedFiles, readNote } from '../../ingest/retry-quarantine.js';
import { enqueueTask, listTasks } from '../../tasks/index.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { notFound } from '../errors.js';
import { formFields, textValue } from '../forms.js';
import { pageContext, sendPage } from '../page.js';
import { QUARANTINE_DELETE_PATH, QUARANTINE_PATH, QUARANTINE_RETRY_PATH, QuarantinePage, type QuarantineEntry } from '../views/quarantine.js';

const PAGE_SIZE = 100;
const NOTE_SUFFIX = '.reason.json';
const ENTRY_ID = /^(\d{4}-\d{2}-\d{2})\/([^/\\\0]+)$/;

/**
 * The absolute path of a quarantined file named by its id, or null when the id is not the name
 * of a regular file directly inside a day folder of the quarantine.
 */
export async function quarantinedFile(dataDir: string, id: string): Promise<string | null> {
  const m = ENTRY_ID.exec(id);
  if (!m || m[2] === '.' || m[2] === '..' || m[2]!.endsWith(NOTE_SUFFIX)) return null;
  const root = resolve(quarantineDir(dataDir));
  const file = resolve(root, m[1]!, m[2]!);
  if (!file.startsWith(root + sep)) return null;
  try {
    const info = await lstat(file);
    return info.isFile() ? file : null;
  } catch {
    return null;
  }
}

function entryId(dataDir: string, file: string): string {
  return file.slice(resolve(quarantineDir(dataDir)).length + 1).split(sep).join('/');
}

export function registerQuarantineRoutes(ctx: AppContext): void {
  const { app, db, site, config } = ctx;

  app.get(QUARANTINE_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const query = formFields(request.query);
    // Newest first: the day folders and their time-stamped names sort by time.
    const files = (await quarantinedFiles(config.dataDir)).reverse();
    const pageCount = Math.max(1, Math.ceil(files.length / PAGE_SIZE));
    const pageText = textValue(query.page);
    const page = Math.min(/^[1-9]\d{0,6}$/.test(pageText) ? Number(pageText) : 1, pageCount);
    const entries: QuarantineEntry[] = [];
    for (const file of files.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)) {
      const id = entryId(config.dataDir, resolve(file));
      const [note, info] = await Promise.all([readNote(file), lstat(file).catch(() => null)]);
      if (!info) continue;
      entries.push({
        id,
        name: id.split('/').pop()!,
        bytes: info.size,
        quarantinedAt: note?.quarantinedAt ?? null,
        originalPath: note?.originalPath ?? null,
        reason: note?.reason ?? null,
        attempts: note?.attempts ?? null,
        kind: note?.kind ?? null,
      });
    }
    const [retry] = await listTasks(db, { kinds: [retryQuarantineTask.name], limit: 1 });
    const retrying = retry !== undefined && (retry.state === 'queued' || retry.state === 'running');
    const deleted = textValue(query.deleted);
    const notice = deleted ? `${deleted} deleted.` : textValue(query.retry) === 'queued' && retrying ? 'Retry started: the files are imported again in the background.' : null;
    return sendPage(
      reply,
      <QuarantinePage
        ctx={pageContext(site, request)}
        entries={entries}
        total={files.length}
        page={page}
        pageCount={pageCount}
        folder={quarantineDir(config.dataDir)}
        retry={retry ?? null}
        notice={notice}
      />,
    );
  });

  app.post(QUARANTINE_RETRY_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const open = await listTasks(db, { kinds: [retryQuarantineTask.name], states: ['queued', 'running'], limit: 1 });
    // One retry at a time: a second would race the first over the same files.
    if (open.length) return reply.redirect(QUARANTINE_PATH, 303);
    const task = await enqueueTask(db, retryQuarantineTask, {}, { startedBy: { id: me.id, name: me.username } });
    await recordAudit(db.kysely, { actor: me, action: 'quarantine.retry', target: `task ${task.id}`, details: { files: (await quarantinedFiles(config.dataDir)).length } });
    return reply.redirect(`${QUARANTINE_PATH}?retry=queued`, 303);
  });

  app.post(QUARANTINE_DELETE_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const me = currentUser(request);
    const id = textValue(formFields(request.body).file);
    const file = await quarantinedFile(config.dataDir, id);
    if (!file) throw notFound(`There is no quarantined file ${id ? `"${id.slice(0, 200)}"` : 'by that name'}.`);
    const note = await readNote(file);
    await rm(file, { force: true });
    await rm(noteFileFor(file), { force: true });
    await recordAudit(db.kysely, {
      actor: me,
      action: 'quarantine.delete',
      target: `quarantined file ${id}`,
      details: { originalPath: note?.originalPath ?? null, reason: note?.reason ?? null, attempts: note?.attempts ?? null },
    });
    return reply.redirect(`${QUARANTINE_PATH}?deleted=${encodeURIComponent(id)}`, 303);
  });
}
