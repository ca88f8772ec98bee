// Signed-in requests for web tests: a user with the given roles and a session of theirs, made
// the way a sign-in makes them, so tests can call every page as that user.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Role } from '../../src/auth/roles.js';
import { createSession } from '../../src/auth/sessions.js';
import { createUser, type UserRecord } from '../../src/auth/users.js';
import type { Db } from '../../src/db/connect.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../src/web/auth/cookies.js';

/** Meets the password rules; every test user has it. */
export const TEST_PASSWORD = 'amber-lantern-quietly-77';

export interface TestUser {
  user: UserRecord;
  /** The Cookie header value of the user's session. */
  cookie: string;
  /** The session's CSRF token, for forms (`_csrf`) and the x-csrf-token header. */
  csrf: string;
}

let counter = 0;

export async function createTestUser(db: Db, opts: { roles?: readonly Role[]; superuser?: boolean; username?: string; password?: string } = {}): Promise<UserRecord> {
  const roles = opts.roles ?? [];
  const username = opts.username ?? `${opts.superuser ? 'super' : roles.join('-') || 'noroles'}-${process.pid}-${++counter}`;
  return createUser(db.kysely, { username, password: opts.password ?? TEST_PASSWORD, roles, isSuperuser: opts.superuser ?? false, fullName: `Test ${username}` });
}

/** A new user with these roles, signed in. */
export async function signIn(db: Db, opts: { roles?: readonly Role[]; superuser?: boolean; username?: string } = {}): Promise<TestUser> {
  const user = await createTestUser(db, opts);
  const session = await createSession(db.kysely, user.id);
  return { user, cookie: `${SESSION_COOKIE}=${session.token}`, csrf: session.csrfToken };
}

/** app.inject as this user (or anonymously with null). */
export function requester(app: FastifyInstance, who: TestUser | null): (opts: InjectOptions | string) => Promise<LightMyRequestResponse> {
  return (opts) => {
    const o: InjectOptions = typeof opts === 'string' ? { method: 'GET', url: opts } : opts;
    const headers = { ...(o.headers ?? {}), ...(who ? { cookie: who.cookie } : {}) };
    return app.inject({ ...o, headers });
  };
}

/** Where a request comes from: the peer's address, and headers a proxy adds. */
export interface Via {
  remoteAddress?: string;
  headers?: Record<string, string>;
}

/** A form post as this user, with the session's CSRF token unless the fields give one. */
export function postForm(
  app: FastifyInstance,
  who: TestUser | null,
  url: string,
  fields: Record<string, string | string[]>,
  extraCookie = '',
  via: Via = {},
): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams();
  if (who && !('_csrf' in fields)) body.append('_csrf', who.csrf);
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  const cookie = [who?.cookie, extraCookie].filter(Boolean).join('; ');
  return app.inject({
    method: 'POST',
    url,
    ...(via.remoteAddress ? { remoteAddress: via.remoteAddress } : {}),
    headers: { ...via.headers, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    payload: body.toString(),
  });
}

/** Signs in through the form as a browser would: the sign-in page, then the post. */
export async function signInWithForm(
  app: FastifyInstance,
  username: string,
  password: string,
  next?: string,
  via: Via = {},
): Promise<{ response: LightMyRequestResponse; cookie: string | null }> {
  const page = await app.inject({ method: 'GET', url: '/login', ...(via.remoteAddress ? { remoteAddress: via.remoteAddress } : {}), headers: via.headers ?? {} });
  const csrfCookie = page.cookies.find((c) => c.name === CSRF_COOKIE)?.value;
  const field = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrfCookie || !field) throw new Error('the sign-in page gave no CSRF token');
  const fields: Record<string, string> = { _csrf: field, username, password };
  if (next) fields.next = next;
  const response = await postForm(app, null, '/login', fields, `${CSRF_COOKIE}=${csrfCookie}`, via);
  const session = response.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
  return { response, cookie: session ? `${SESSION_COOKIE}=${session}` : null };
}
