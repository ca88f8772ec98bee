// Bounded history: finished tasks are kept for a number of days and up to a number of rows,
// whichever is less. Queued and running tasks are never pruned.
import type { Db } from '../db/connect.js';
import { FINAL_STATES } from './queue.js';

export interface Retention {
  days: number;
  rows: number;
}

export const DEFAULT_RETENTION: Retention = { days: 30, rows: 1000 };

/** Deletes finished tasks beyond the retention; returns how many. */
export async function pruneTasks(db: Db, retention: Retention, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retention.days * 86_400_000).toISOString();
  const old = await db.kysely.deleteFrom('task').where('state', 'in', [...FINAL_STATES]).where('finished_at', '<', cutoff).executeTakeFirst();
  let deleted = Number(old.numDeletedRows);
  // The newest finished task beyond the row limit: it and every older finished task go.
  const boundary = await db.kysely
    .selectFrom('task')
    .select('id')
    .where('state', 'in', [...FINAL_STATES])
    .orderBy('id', 'desc')
    .offset(retention.rows)
    .limit(1)
    .executeTakeFirst();
  if (boundary) {
    const extra = await db.kysely.deleteFrom('task').where('state', 'in', [...FINAL_STATES]).where('id', '<=', boundary.id).executeTakeFirst();
    deleted += Number(extra.numDeletedRows);
  }
  return deleted;
}
