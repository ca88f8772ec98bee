// Rate limiting of sign-in: after too many failed attempts for one user name from one address
// within a window, further attempts are refused until the oldest failure leaves the window.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

function key(username: string): string {
  return username.trim().toLowerCase().slice(0, 200);
}

/** Minutes until another attempt is allowed, or 0 when one is allowed now. */
export async function lockedOutMinutes(q: Kysely<Database>, username: string, address: string, now = new Date()): Promise<number> {
  const since = new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString();
  const rows = await q
    .selectFrom('login_attempt')
    .select('at')
    .where('username_key', '=', key(username))
    .where('address', '=', address)
    .where('at', '>', since)
    .orderBy('at', 'desc')
    .limit(MAX_FAILURES)
    .execute();
  if (rows.length < MAX_FAILURES) return 0;
  const oldestCounted = Date.parse(rows[rows.length - 1]!.at);
  return Math.max(1, Math.ceil((oldestCounted + FAILURE_WINDOW_MS - now.getTime()) / 60_000));
}

export async function recordFailure(q: Kysely<Database>, username: string, address: string, now = new Date()): Promise<void> {
  await q.insertInto('login_attempt').values({ username_key: key(username), address, at: now.toISOString() }).execute();
  // Failures older than the window count for nothing: keep the table small.
  await q.deleteFrom('login_attempt').where('at', '<=', new Date(now.getTime() - FAILURE_WINDOW_MS).toISOString()).execute();
}

export async function clearFailures(q: Kysely<Database>, username: string, address: string): Promise<void> {
  await q.deleteFrom('login_attempt').where('username_key', '=', key(username)).where('address', '=', address).execute();
}
