// Tasks whose worker is gone: it died (no heartbeat for a while, or its process no longer
// exists when a worker starts on the same machine) or it stopped on purpose. Such a task is
// queued again when its kind may run again and attempts remain, and failed with the reason
// otherwise; one somebody asked to abort ends aborted. Every change is fenced on `attempts`,
// so a worker that has since come back cannot have its task taken from it twice. The worker
// that recovers a task then has its kind clean up what the dead run left (TaskKind.abandoned).
import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import type { TaskRow } from '../db/schema.js';
import type { WorkerIdentity } from './claim.js';
import { nowIso } from './queue.js';

export type RecoveryOutcome = 'queued' | 'failed' | 'aborted';

/** A task of a dead worker that recovery has ended or queued again. */
export type RecoveredTask = Pick<TaskRow, 'id' | 'kind' | 'params'>;

/** Told of each task recovered, e.g. to clean up after one that will not run again. */
export type OnRecovered = (task: RecoveredTask, outcome: RecoveryOutcome) => Promise<void>;

type RunningRow = Pick<TaskRow, 'id' | 'attempts' | 'max_attempts' | 'abort_requested_at' | 'abort_requested_by'>;

function workerName(row: Pick<TaskRow, 'worker_host' | 'worker_pid'>): string {
  return `the worker on ${row.worker_host ?? 'an unknown host'} (pid ${row.worker_pid ?? '?'})`;
}

/**
 * Ends the current attempt of a running task. `counted` false (a worker stopping on purpose)
 * gives the attempt back, so restarts never use up a task's retries.
 */
export async function endAttempt(db: Db, row: RunningRow, cause: string, counted = true): Promise<RecoveryOutcome | null> {
  const now = nowIso();
  // A retry-safe kind has max_attempts > 1 from the start.
  const retrySafe = row.max_attempts > 1;
  const maxAttempts = counted || !retrySafe ? row.max_attempts : row.max_attempts + 1;
  let outcome: RecoveryOutcome;
  let reason: string;
  if (row.abort_requested_at) {
    outcome = 'aborted';
    reason = `aborted by ${row.abort_requested_by ?? 'the system'}; ${cause}`;
  } else if (row.attempts < maxAttempts) {
    outcome = 'queued';
    reason = `attempt ${row.attempts} was interrupted: ${cause}; queued again`;
  } else {
    outcome = 'failed';
    reason = retrySafe ? `${cause}; gave up after ${row.attempts} attempts` : `${cause}; this kind of task is not started again automatically`;
  }
  const base = { state: outcome, reason, max_attempts: maxAttempts, worker_host: null, worker_pid: null, heartbeat_at: null };
  const result = await db.kysely
    .updateTable('task')
    .set(outcome === 'queued' ? { ...base, progress: null, message: null } : { ...base, finished_at: now })
    .where('id', '=', row.id)
    .where('state', '=', 'running')
    .where('attempts', '=', row.attempts)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n ? outcome : null;
}

const RUNNING_COLUMNS = ['id', 'kind', 'params', 'attempts', 'max_attempts', 'abort_requested_at', 'abort_requested_by', 'worker_host', 'worker_pid', 'heartbeat_at'] as const;
type RunningTask = RunningRow & RecoveredTask & Pick<TaskRow, 'worker_host' | 'worker_pid' | 'heartbeat_at'>;

async function endAttempts(db: Db, rows: readonly RunningTask[], causeOf: (row: RunningTask) => string, log: Logger, onRecovered?: OnRecovered): Promise<number> {
  let n = 0;
  for (const row of rows) {
    const cause = causeOf(row);
    const outcome = await endAttempt(db, row, cause);
    if (outcome) {
      n++;
      log.warn({ task: row.id, outcome }, `task ${row.id}: ${cause}; ${outcome}`);
      await onRecovered?.(row, outcome);
    }
  }
  return n;
}

/** Running tasks without a heartbeat for `staleMs`: their worker died or hangs. */
export async function recoverStaleTasks(db: Db, staleMs: number, log: Logger, onRecovered?: OnRecovered): Promise<number> {
  const cutoff = new Date(Date.now() - staleMs).toISOString();
  const rows = await db.kysely.selectFrom('task').select(RUNNING_COLUMNS).where('state', '=', 'running').where('heartbeat_at', '<', cutoff).execute();
  return endAttempts(db, rows, (row) => `${workerName(row)} stopped responding (last heartbeat ${row.heartbeat_at})`, log, onRecovered);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * At start-up: running tasks held by a process of this machine that no longer exists (or by
 * this very pid, reused after a restart, as in containers) are recovered without waiting for
 * their heartbeat to go stale.
 */
export async function recoverOrphanedTasks(db: Db, me: WorkerIdentity, log: Logger, onRecovered?: OnRecovered): Promise<number> {
  const rows = await db.kysely.selectFrom('task').select(RUNNING_COLUMNS).where('state', '=', 'running').where('worker_host', '=', me.host).execute();
  const orphans = rows.filter((row) => row.worker_pid === null || row.worker_pid === me.pid || !processExists(row.worker_pid));
  return endAttempts(db, orphans, (row) => `${workerName(row)} is no longer running`, log, onRecovered);
}
