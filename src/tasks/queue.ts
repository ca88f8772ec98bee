// The task queue as the rest of the program sees it: put a task in, read tasks back, ask for
// one to be aborted. Workers (worker.ts) take tasks out.
import { EventEmitter } from 'node:events';
import type { Db } from '../db/connect.js';
import type { TaskRow, TaskState } from '../db/schema.js';
import { maxAttemptsOf, type TaskKind } from './kind.js';

export type { TaskState };

export const FINAL_STATES: readonly TaskState[] = ['done', 'failed', 'aborted'];

/** Who started a task or asks to abort it; null name for the system (command line, schedules). */
export interface Actor {
  id: number | null;
  name: string | null;
}

export const SYSTEM: Actor = { id: null, name: null };

/** A task as pages, the JSON API and callers see it. */
export interface TaskRecord {
  id: number;
  kind: string;
  label: string;
  params: unknown;
  state: TaskState;
  /** 0..1, or null when unknown. */
  progress: number | null;
  message: string | null;
  result: unknown;
  reason: string | null;
  startedBy: Actor;
  attempts: number;
  maxAttempts: number;
  /** "host (pid N)" of the worker running it. */
  worker: string | null;
  abortRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
}

export function nowIso(): string {
  return new Date().toISOString();
}

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export function toRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    params: parseJson(row.params),
    state: row.state,
    progress: row.progress,
    message: row.message,
    result: parseJson(row.result),
    reason: row.reason,
    startedBy: { id: row.started_by_id, name: row.started_by },
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    worker: row.worker_host === null ? null : `${row.worker_host} (pid ${row.worker_pid})`,
    abortRequested: row.abort_requested_at !== null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    heartbeatAt: row.heartbeat_at,
  };
}

/**
 * Workers in this process hear of new tasks at once; workers elsewhere find them on their
 * next poll.
 */
const local = new EventEmitter();
local.setMaxListeners(0);

export function onTaskQueued(listener: () => void): () => void {
  local.on('queued', listener);
  return () => local.off('queued', listener);
}

export interface EnqueueOptions {
  startedBy?: Actor;
  /** What the interface calls this task, e.g. "CT export, 2024-01-01 to 2024-03-31"; default the kind's title. */
  label?: string;
}

/** Queues a task; the parameters are checked by the kind's schema first (its error propagates). */
export async function enqueueTask<P>(db: Db, kind: TaskKind<P, unknown>, params: P, opts: EnqueueOptions = {}): Promise<TaskRecord> {
  const checked = kind.params.parse(params);
  const by = opts.startedBy ?? SYSTEM;
  const row = await db.kysely
    .insertInto('task')
    .values({
      kind: kind.name,
      label: opts.label ?? kind.title,
      params: JSON.stringify(checked),
      state: 'queued',
      started_by_id: by.id,
      started_by: by.name,
      max_attempts: maxAttemptsOf(kind),
      created_at: nowIso(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  local.emit('queued');
  return toRecord(row);
}

export async function getTask(db: Db, id: number): Promise<TaskRecord | undefined> {
  const row = await db.kysely.selectFrom('task').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

export interface TaskFilter {
  states?: readonly TaskState[];
  kinds?: readonly string[];
  startedById?: number;
  /** Newest first unless `oldestFirst`; default 100. */
  limit?: number;
  oldestFirst?: boolean;
}

function filtered(db: Db, filter: TaskFilter) {
  let q = db.kysely.selectFrom('task');
  if (filter.states) q = q.where('state', 'in', [...filter.states]);
  if (filter.kinds) q = q.where('kind', 'in', [...filter.kinds]);
  if (filter.startedById !== undefined) q = q.where('started_by_id', '=', filter.startedById);
  return q;
}

export async function listTasks(db: Db, filter: TaskFilter = {}): Promise<TaskRecord[]> {
  if (filter.states?.length === 0 || filter.kinds?.length === 0) return [];
  const rows = await filtered(db, filter)
    .selectAll()
    .orderBy('id', filter.oldestFirst ? 'asc' : 'desc')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map(toRecord);
}

/** How many tasks the filter selects, whatever the limit. */
export async function countTasks(db: Db, filter: Omit<TaskFilter, 'limit' | 'oldestFirst'>): Promise<number> {
  if (filter.states?.length === 0 || filter.kinds?.length === 0) return 0;
  const row = await filtered(db, filter)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type AbortOutcome =
  /** It had not started: it never will. */
  | 'aborted'
  /** It is running: its worker stops it within about a second. */
  | 'requested'
  /** It had already finished. */
  | 'finished'
  | 'not-found';

function who(by: Actor): string {
  return by.name ?? 'the system';
}

export async function requestAbort(db: Db, id: number, by: Actor): Promise<AbortOutcome> {
  const at = nowIso();
  const queued = await db.kysely
    .updateTable('task')
    .set({ state: 'aborted', finished_at: at, abort_requested_at: at, abort_requested_by: by.name, reason: `aborted by ${who(by)} before it started` })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .executeTakeFirst();
  if (queued.numUpdatedRows > 0n) return 'aborted';
  const running = await db.kysely
    .updateTable('task')
    .set({ abort_requested_at: at, abort_requested_by: by.name })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .where('abort_requested_at', 'is', null)
    .executeTakeFirst();
  if (running.numUpdatedRows > 0n) return 'requested';
  // Between the two updates it may have been claimed (it then gets the request next time
  // round) or finished: read what it is now.
  const row = await db.kysely.selectFrom('task').select(['state', 'abort_requested_at']).where('id', '=', id).executeTakeFirst();
  if (!row) return 'not-found';
  if (row.state === 'running') return row.abort_requested_at ? 'requested' : requestAbort(db, id, by);
  if (row.state === 'queued') return requestAbort(db, id, by);
  return 'finished';
}
