// Sign-in sessions kept in the database: the browser holds a random token, the database only
// its SHA-256, so a copy of the database cannot be used to sign in. A session ends after a
// period without use and, however active, at a fixed time after sign-in.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { toAuthUser, toUserRecord, type AuthUser } from './users.js';

export interface SessionPolicy {
  /** Ends after this long without a request. */
  idleMs: number;
  /** Ends this long after sign-in, however active. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 4 * 3600_000, absoluteMs: 12 * 3600_000 };

/** How often last use is written: every request would make every page a database write. */
const TOUCH_INTERVAL_MS = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface NewSession {
  /** For the cookie; not kept anywhere else. */
  token: string;
  tokenHash: string;
  csrfToken: string;
}

export async function createSession(
  q: Kysely<Database>,
  userId: number,
  opts: { address?: string | null; userAgent?: string | null; now?: Date; policy?: SessionPolicy } = {},
): Promise<NewSession> {
  const now = opts.now ?? new Date();
  const policy = opts.policy ?? DEFAULT_SESSION_POLICY;
  const token = newToken();
  const session = { token, tokenHash: hashToken(token), csrfToken: newToken() };
  await q
    .insertInto('user_session')
    .values({
      token_hash: session.tokenHash,
      user_id: userId,
      csrf_token: session.csrfToken,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + policy.absoluteMs).toISOString(),
      address: opts.address ?? null,
      user_agent: opts.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return session;
}

export interface ActiveSession {
  tokenHash: string;
  csrfToken: string;
  user: AuthUser;
}

/** The live session of an active user for a cookie token, or null (expired sessions are removed). */
export async function findSession(q: Kysely<Database>, token: string, opts: { now?: Date; policy?: SessionPolicy } = {}): Promise<ActiveSession | null> {
  const now = opts.now ?? new Date();
  const policy = opts.policy ?? DEFAULT_SESSION_POLICY;
  const tokenHash = hashToken(token);
  const row = await q
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .selectAll('app_user')
    .select(['user_session.csrf_token', 'user_session.last_seen_at', 'user_session.expires_at'])
    .where('user_session.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return null;
  const lastSeen = Date.parse(row.last_seen_at);
  if (row.is_active !== 1 || Date.parse(row.expires_at) <= now.getTime() || lastSeen + policy.idleMs <= now.getTime()) {
    await q.deleteFrom('user_session').where('token_hash', '=', tokenHash).execute();
    return null;
  }
  if (now.getTime() - lastSeen >= TOUCH_INTERVAL_MS) {
    await q.updateTable('user_session').set({ last_seen_at: now.toISOString() }).where('token_hash', '=', tokenHash).execute();
  }
  return { tokenHash, csrfToken: row.csrf_token, user: toAuthUser(toUserRecord(row)) };
}

export async function deleteSession(q: Kysely<Database>, tokenHash: string): Promise<void> {
  await q.deleteFrom('user_session').where('token_hash', '=', tokenHash).execute();
}

/** Removes sessions past their absolute end or idle for longer than the policy allows. */
export async function deleteExpiredSessions(q: Kysely<Database>, opts: { now?: Date; policy?: SessionPolicy } = {}): Promise<void> {
  const now = opts.now ?? new Date();
  const policy = opts.policy ?? DEFAULT_SESSION_POLICY;
  await q
    .deleteFrom('user_session')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', new Date(now.getTime() - policy.idleMs).toISOString())]))
    .execute();
}
