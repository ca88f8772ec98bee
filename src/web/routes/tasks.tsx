// Background tasks on the web: the administrators' task page, a task's status as JSON for
// pages that follow one, and aborting. A task is visible to the user who started it and to
// administrators only; to anyone else it does not exist.
import { h } from '../jsx.js';
import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/log.js';
import { FINAL_STATES, getTask, listTasks, requestAbort, type AbortOutcome, type TaskRecord } from '../../tasks/index.js';
import type { AppContext } from '../app.js';
import { currentUser } from '../auth/access.js';
import { notFound } from '../errors.js';
import { formFields, parseId, textValue } from '../forms.js';
import { pageContext, sendPage } from '../page.js';
import { safeNext } from './auth.js';
import { TaskListPage, TASKS_ADMIN_PATH } from '../views/tasks.js';

const RECENT = 50;
const OPEN_LIMIT = 500;

const ABORT_NOTICES: Record<AbortOutcome, (id: string) => string> = {
  aborted: (id) => `Task #${id} aborted before it started.`,
  requested: (id) => `Task #${id} is being stopped; it ends within a few seconds.`,
  finished: (id) => `Task #${id} had already finished.`,
  'not-found': (id) => `There is no task #${id}.`,
};

function isAbortOutcome(text: string): text is AbortOutcome {
  return Object.hasOwn(ABORT_NOTICES, text);
}

export function registerTaskRoutes(ctx: AppContext): void {
  const { app, db, site } = ctx;

  /** The task, when the signed-in user may see it. */
  const visibleTask = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<TaskRecord | null> => {
    const me = currentUser(request);
    const id = parseId(request.params.id);
    const task = id === null ? undefined : await getTask(db, id);
    if (!task) return null;
    return me.hasRole('admin') || task.startedBy.id === me.id ? task : null;
  };

  app.get(TASKS_ADMIN_PATH, { config: { access: 'admin' } }, async (request, reply) => {
    const [queued, running, recent] = await Promise.all([
      listTasks(db, { states: ['queued'], limit: OPEN_LIMIT }),
      listTasks(db, { states: ['running'], limit: OPEN_LIMIT }),
      listTasks(db, { states: FINAL_STATES, limit: RECENT }),
    ]);
    const query = formFields(request.query);
    const outcome = textValue(query.abort);
    const id = textValue(query.task);
    const notice = isAbortOutcome(outcome) && parseId(id) !== null ? ABORT_NOTICES[outcome](id) : null;
    return sendPage(reply, <TaskListPage ctx={pageContext(site, request)} queued={queued.reverse()} running={running} recent={recent} notice={notice} />);
  });

  app.get<{ Params: { id: string } }>('/api/tasks/:id', { config: { access: 'login' } }, async (request, reply) => {
    const task = await visibleTask(request);
    reply.header('cache-control', 'no-store');
    if (!task) return reply.code(404).send({ error: 'no such task' });
    return reply.send(task);
  });

  app.post<{ Params: { id: string } }>('/tasks/:id/abort', { config: { access: 'login' } }, async (request, reply) => {
    const me = currentUser(request);
    const task = await visibleTask(request);
    if (!task) throw notFound(`There is no task #${request.params.id} of yours.`);
    const outcome = await requestAbort(db, task.id, { id: me.id, name: me.username });
    await recordAudit(db.kysely, { actor: me, action: 'task.abort', target: `task ${task.id}`, details: { kind: task.kind, label: task.label, outcome } });
    const next = safeNext(textValue(formFields(request.body).next)) ?? (me.hasRole('admin') ? TASKS_ADMIN_PATH : '/');
    return reply.redirect(`${next}${next.includes('?') ? '&' : '?'}abort=${outcome}&task=${task.id}`, 303);
  });
}
