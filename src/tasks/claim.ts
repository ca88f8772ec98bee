// Taking the oldest queued task so that no two workers ever get the same one. PostgreSQL
// locks the chosen row and lets other workers skip it (FOR UPDATE SKIP LOCKED), so workers on
// many machines share one queue without waiting on each other. On SQLite the select and the
// update are one statement, which runs under the database's single write lock.
import { hostname } from 'node:os';
import type { Db } from '../db/connect.js';
import type { TaskRow } from '../db/schema.js';
import { nowIso } from './queue.js';

/** Which process holds a task: how a restarted worker recognises what its predecessor left. */
export interface WorkerIdentity {
  host: string;
  pid: number;
}

export function thisProcess(): WorkerIdentity {
  return { host: hostname(), pid: process.pid };
}

/** Claims the oldest queued task of one of `kinds`; undefined when there is none. */
export async function claimNextTask(db: Db, kinds: readonly string[], worker: WorkerIdentity): Promise<TaskRow | undefined> {
  if (kinds.length === 0) return undefined;
  const now = nowIso();
  return db.kysely
    .updateTable('task')
    .set((eb) => ({
      state: 'running',
      attempts: eb('attempts', '+', 1),
      worker_host: worker.host,
      worker_pid: worker.pid,
      started_at: now,
      heartbeat_at: now,
      progress: null,
      message: null,
    }))
    .where('id', '=', (eb) => {
      const oldest = eb.selectFrom('task').select('id').where('state', '=', 'queued').where('kind', 'in', [...kinds]).orderBy('id').limit(1);
      return db.engine === 'postgres' ? oldest.forUpdate().skipLocked() : oldest;
    })
    // PostgreSQL re-checks the row it locked; a worker that lost the race gets nothing.
    .where('state', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
}
