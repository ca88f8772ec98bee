// Shared by the task tests: waiting for a condition, a quiet logger, reading a task's row.
import { pino, type Logger } from 'pino';
import type { Db } from '../../src/db/connect.js';
import type { TaskRow } from '../../src/db/schema.js';

export const quietLog: Logger = pino({ level: 'silent' });

/** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function taskRow(db: Db, id: number): Promise<TaskRow> {
  return db.kysely.selectFrom('task').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Waits until the task is in one of `states`; returns its row. */
export function waitForState(db: Db, id: number, states: readonly TaskRow['state'][], timeoutMs?: number): Promise<TaskRow> {
  return waitFor(`task ${id} to be ${states.join(' or ')}`, async () => {
    const row = await taskRow(db, id);
    return states.includes(row.state) ? row : undefined;
  }, timeoutMs);
}

/** The "taskId attempt pid" lines a test task wrote when its runs started. */
export function traceLines(text: string): { id: number; attempt: number; pid: number }[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, attempt, pid] = line.split(' ').map(Number);
      return { id: id!, attempt: attempt!, pid: pid! };
    });
}
