// Signing in and out through the pages: session cookies, idle and absolute expiry, rate
// limiting of failed attempts, the first-run message, and changing one's own password.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/log.js';
import { FAILURE_WINDOW_MS } from '../../src/auth/login-attempts.js';
import { DEFAULT_SESSION_POLICY, hashToken } from '../../src/auth/sessions.js';
import { authenticate, updateUser } from '../../src/auth/users.js';
import { configFromEnv, parseTrustProxy } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { SESSION_COOKIE } from '../../src/web/auth/cookies.js';
import { safeNext } from '../../src/web/routes/auth.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { createTestUser, postForm, requester, signIn, signInWithForm, TEST_PASSWORD, type TestUser } from '../helpers/web.js';

describe.each(ENGINES)('sign-in and sessions on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await createTestDb(engine);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  const tokenOf = (cookie: string) => cookie.slice(SESSION_COOKIE.length + 1);
  const sessionRow = (cookie: string) => t.db.kysely.selectFrom('user_session').selectAll().where('token_hash', '=', hashToken(tokenOf(cookie))).executeTakeFirst();

  it('first run: with no user yet, the home page leads to a sign-in page explaining how to create the first administrator', async () => {
    const home = await app.inject({ method: 'GET', url: '/' });
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe('/login');
    const login = await app.inject({ method: 'GET', url: '/login' });
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('<section class="notice first-run" id="first-run">');
    expect(login.body).toContain('There are no user accounts yet.');
    expect(login.body).toContain('<code class="command">openrem users create NAME --admin</code>');
  });

  it('signs in with the form: an HttpOnly SameSite=Lax session cookie whose token is stored only as its SHA-256', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    // No first-run message once a user exists.
    expect((await app.inject({ method: 'GET', url: '/login' })).body).not.toContain('first-run');
    const { response, cookie } = await signInWithForm(app, user.username.toUpperCase(), TEST_PASSWORD);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const set = response.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(set).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(set.secure).toBeUndefined();
    expect(set.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await sessionRow(cookie!);
    expect(row?.user_id).toBe(user.id);
    const stored = await t.db.kysely.selectFrom('user_session').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(set.value);
    const home = await requester(app, { cookie: cookie!, csrf: '', user })('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(`<span class="username">${user.username}</span>`);
    const audit = await readAudit(t.db.kysely, { action: 'login' });
    expect(audit[0]).toMatchObject({ actorId: user.id, actor: user.username, target: `user ${user.username}` });
    expect((await t.db.kysely.selectFrom('app_user').select('last_login_at').where('id', '=', user.id).executeTakeFirstOrThrow()).last_login_at).not.toBeNull();
  });

  it('returns to the page asked for, and only to a page of this site', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    const back = await signInWithForm(app, user.username, TEST_PASSWORD, '/ct?system=X');
    expect(back.response.headers.location).toBe('/ct?system=X');
    for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      expect(safeNext(evil), evil).toBeNull();
      expect((await signInWithForm(app, user.username, TEST_PASSWORD, evil)).response.headers.location).toBe('/');
    }
    // Every role includes view: users with any role land on the home page, which they may open.
    for (const roles of [['admin'], ['export', 'importsize'], ['importqr'], ['pid']] as const) {
      const user = await createTestUser(t.db, { roles });
      const signedIn = await signInWithForm(app, user.username, TEST_PASSWORD);
      expect(signedIn.response.headers.location, roles.join()).toBe('/');
      const home = await app.inject({ method: 'GET', url: '/', headers: { cookie: signedIn.cookie! } });
      expect(home.statusCode, roles.join()).toBe(200);
    }
    // A user with no role at all sees no studies: their account page.
    const none = await createTestUser(t.db, { roles: [] });
    expect((await signInWithForm(app, none.username, TEST_PASSWORD)).response.headers.location).toBe('/account/password');
  });

  it('refuses a wrong password, an unknown user and a deactivated account with the same message', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    const wrong = await signInWithForm(app, user.username, 'not-the-password-9');
    expect(wrong.response.statusCode).toBe(401);
    expect(wrong.cookie).toBeNull();
    expect(wrong.response.body).toContain('The user name or password is not right, or the account is deactivated.');
    expect(wrong.response.body).toContain(`value="${user.username}"`);
    expect((await signInWithForm(app, 'no-such-user', TEST_PASSWORD)).response.statusCode).toBe(401);
    await updateUser(t.db.kysely, user.id, { isActive: false });
    const inactive = await signInWithForm(app, user.username, TEST_PASSWORD);
    expect(inactive.response.statusCode).toBe(401);
    const failed = await readAudit(t.db.kysely, { action: 'login.failed' });
    expect(failed.map((e) => e.target)).toContain('user no-such-user');
    const empty = await signInWithForm(app, '', '');
    expect(empty.response.statusCode).toBe(400);
    expect(empty.response.body).toContain('Enter your user name and password.');
  });

  it('ends a session after the idle time and at the absolute end, and removes it', async () => {
    const idle = await signIn(t.db, { roles: ['view'] });
    const get = (who: TestUser) => requester(app, who)('/ct');
    expect((await get(idle)).statusCode).toBe(200);
    const longAgo = new Date(Date.now() - DEFAULT_SESSION_POLICY.idleMs - 60_000).toISOString();
    await t.db.kysely.updateTable('user_session').set({ last_seen_at: longAgo }).where('token_hash', '=', hashToken(tokenOf(idle.cookie))).execute();
    const expired = await get(idle);
    expect(expired.statusCode).toBe(302);
    expect(expired.headers.location).toBe('/login?next=%2Fct');
    expect(expired.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    expect(await sessionRow(idle.cookie)).toBeUndefined();

    const absolute = await signIn(t.db, { roles: ['view'] });
    // Active a minute ago, but past the absolute end.
    await t.db.kysely
      .updateTable('user_session')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', hashToken(tokenOf(absolute.cookie)))
      .execute();
    expect((await get(absolute)).statusCode).toBe(302);
    expect(await sessionRow(absolute.cookie)).toBeUndefined();

    // Within the idle time, use keeps a session alive (last use is written at most once a minute).
    const active = await signIn(t.db, { roles: ['view'] });
    const almost = new Date(Date.now() - DEFAULT_SESSION_POLICY.idleMs + 120_000).toISOString();
    await t.db.kysely.updateTable('user_session').set({ last_seen_at: almost }).where('token_hash', '=', hashToken(tokenOf(active.cookie))).execute();
    expect((await get(active)).statusCode).toBe(200);
    expect(Date.parse((await sessionRow(active.cookie))!.last_seen_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('signing out ends the session on the server and clears the cookie', async () => {
    const user = await signIn(t.db, { roles: ['view'] });
    const other = await signIn(t.db, { roles: ['view'] });
    const out = await postForm(app, user, '/logout', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/login?out=1');
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
    expect(await sessionRow(user.cookie)).toBeUndefined();
    expect((await requester(app, user)('/ct')).statusCode).toBe(302);
    expect((await app.inject({ method: 'GET', url: '/login?out=1' })).body).toContain('You have signed out.');
    // Other sessions are not affected.
    expect((await requester(app, other)('/ct')).statusCode).toBe(200);
  });

  it('a deactivated user is signed out at once; a changed role applies at the next request', async () => {
    const user = await signIn(t.db, { roles: ['view'] });
    await updateUser(t.db.kysely, user.user.id, { roles: [] });
    expect((await requester(app, user)('/ct')).statusCode).toBe(403);
    await updateUser(t.db.kysely, user.user.id, { roles: ['view'] });
    expect((await requester(app, user)('/ct')).statusCode).toBe(200);
    await updateUser(t.db.kysely, user.user.id, { isActive: false });
    expect((await requester(app, user)('/ct')).statusCode).toBe(302);
    expect(await sessionRow(user.cookie)).toBeUndefined();
  });

  it('refuses sign-in after 5 failures for a user name from one address within 15 minutes, with a clear message', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    for (let i = 0; i < 5; i++) expect((await signInWithForm(app, user.username, `wrong-password-${i}x`)).response.statusCode).toBe(401);
    // Even the right password is refused now, without being checked.
    const locked = await signInWithForm(app, user.username, TEST_PASSWORD);
    expect(locked.response.statusCode).toBe(429);
    expect(locked.cookie).toBeNull();
    expect(locked.response.headers['retry-after']).toBe('900');
    expect(locked.response.body).toContain('Too many failed sign-in attempts for this user name from your address. Try again in 15 minutes');
    // Another user name from the same address is not affected.
    const other = await createTestUser(t.db, { roles: ['view'] });
    expect((await signInWithForm(app, other.username, TEST_PASSWORD)).response.statusCode).toBe(303);
    // Once the failures are older than the window, signing in works again (and clears the count).
    const past = new Date(Date.now() - FAILURE_WINDOW_MS - 1000).toISOString();
    await t.db.kysely.updateTable('login_attempt').set({ at: past }).where('username_key', '=', user.username.toLowerCase()).execute();
    expect((await signInWithForm(app, user.username, TEST_PASSWORD)).response.statusCode).toBe(303);
    const left = await t.db.kysely.selectFrom('login_attempt').selectAll().where('username_key', '=', user.username.toLowerCase()).execute();
    expect(left).toEqual([]);
  });

  it('counts failures per address', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    const fromAddress = async (remoteAddress: string, password: string) => (await signInWithForm(app, user.username, password, undefined, { remoteAddress })).response;
    for (let i = 0; i < 5; i++) expect((await fromAddress('10.0.0.1', 'wrong-password-zz')).statusCode).toBe(401);
    expect((await fromAddress('10.0.0.1', TEST_PASSWORD)).statusCode).toBe(429);
    expect((await fromAddress('10.0.0.2', TEST_PASSWORD)).statusCode).toBe(303);
  });

  it('changing one’s own password: checks, the reason for a refusal, and other sessions signed out', async () => {
    const user = await signIn(t.db, { roles: ['view'] });
    const elsewhere = await signIn(t.db, { username: `${user.user.username}-x` });
    const otherSession = { ...user, cookie: (await signInWithForm(app, user.user.username, TEST_PASSWORD)).cookie! };
    const post = (fields: Record<string, string>) => postForm(app, user, '/account/password', fields);
    const page = await requester(app, user)('/account/password');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/account/password" class="stacked">');

    const wrong = await post({ current: 'nope-nope-nope', password: 'violet-harbour-engine-3', password2: 'violet-harbour-engine-3' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Current password: this is not your current password');
    const short = await post({ current: TEST_PASSWORD, password: 'short', password2: 'short' });
    expect(short.body).toContain('New password: must be at least 10 characters long');
    const common = await post({ current: TEST_PASSWORD, password: 'Password2024!', password2: 'Password2024!' });
    expect(common.body).toContain('New password: is a common password (adding digits or symbols does not make it safe)');
    const mismatch = await post({ current: TEST_PASSWORD, password: 'violet-harbour-engine-3', password2: 'violet-harbour-engine-4' });
    expect(mismatch.body).toContain('New password again: the two new passwords differ');

    const done = await post({ current: TEST_PASSWORD, password: 'violet-harbour-engine-3', password2: 'violet-harbour-engine-3' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your password has been changed.');
    expect((await requester(app, user)('/ct')).statusCode).toBe(200);
    expect((await requester(app, otherSession)('/ct')).statusCode).toBe(302);
    expect((await requester(app, elsewhere)('/account/password')).statusCode).toBe(200);
    expect(await authenticate(t.db.kysely, user.user.username, TEST_PASSWORD)).toBeNull();
    expect((await authenticate(t.db.kysely, user.user.username, 'violet-harbour-engine-3'))?.id).toBe(user.user.id);
    const audit = await readAudit(t.db.kysely, { action: 'user.password' });
    expect(audit[0]).toMatchObject({ actor: user.user.username, target: `user ${user.user.username}`, details: { by: 'self' } });
  });
});

describe.each(ENGINES)('behind a reverse proxy on %s', (engine) => {
  let t: TestDb;
  /** OPENREM_TRUST_PROXY unset. */
  let direct: FastifyInstance;
  /** Trusting the proxy at 10.1.2.3, which forwards https requests of clients as plain http. */
  let proxied: FastifyInstance;
  const PROXY = '10.1.2.3';
  const CLIENT = '203.0.113.7';
  const HTTPS = { 'x-forwarded-proto': 'https', 'x-forwarded-for': CLIENT };

  beforeAll(async () => {
    t = await createTestDb(engine);
    direct = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    proxied = await buildApp({ db: t.db, config: configFromEnv({ ...t.env, OPENREM_TRUST_PROXY: `${PROXY}, 192.168.0.0/16` }) });
  });
  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
    await t?.cleanup();
  });

  const sessionCookie = (res: { cookies: { name: string; secure?: boolean }[] }) => res.cookies.find((c) => c.name === SESSION_COOKIE);

  it('reads OPENREM_TRUST_PROXY: off, on, or proxy addresses and ranges; anything else is refused naming it', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy(' false ')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1,loopback')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'loopback']);
    for (const bad of ['proxy.example', '10.0.0.0/33', '1', '10.0.0.1/8/2']) {
      expect(() => parseTrustProxy(bad), bad).toThrow(/^OPENREM_TRUST_PROXY must be true, false, or the addresses of the reverse proxies/);
    }
    expect(() => configFromEnv({ OPENREM_TRUST_PROXY: 'proxy.example' })).toThrow('"proxy.example" is none of these');
  });

  it('marks the session cookie Secure when a trusted proxy says the browser used https, and signs in the client’s address', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    const overHttps = await signInWithForm(proxied, user.username, TEST_PASSWORD, undefined, { remoteAddress: PROXY, headers: HTTPS });
    expect(overHttps.response.statusCode).toBe(303);
    expect(sessionCookie(overHttps.response)).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
    const [entry] = await readAudit(t.db.kysely, { action: 'login' });
    expect(entry).toMatchObject({ actor: user.username, details: { address: CLIENT } });
    // Plain http through the proxy: no Secure flag, or the browser would drop the cookie.
    const overHttp = await signInWithForm(proxied, user.username, TEST_PASSWORD, undefined, { remoteAddress: PROXY, headers: { 'x-forwarded-proto': 'http' } });
    expect(sessionCookie(overHttp.response)?.secure).toBeUndefined();
  });

  it('ignores forwarded headers from anyone else, and when no proxy is trusted', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    for (const [app, remoteAddress] of [
      [direct, PROXY],
      [proxied, '172.16.0.9'],
    ] as const) {
      const res = (await signInWithForm(app, user.username, TEST_PASSWORD, undefined, { remoteAddress, headers: HTTPS })).response;
      expect(res.statusCode).toBe(303);
      expect(sessionCookie(res)?.secure).toBeUndefined();
      const [entry] = await readAudit(t.db.kysely, { action: 'login' });
      expect(entry?.details).toEqual({ address: remoteAddress });
    }
  });

  it('limits failed sign-ins per client behind the proxy, not for everyone behind it', async () => {
    const user = await createTestUser(t.db, { roles: ['view'] });
    const from = async (client: string, password: string) =>
      (await signInWithForm(proxied, user.username, password, undefined, { remoteAddress: PROXY, headers: { 'x-forwarded-for': client } })).response.statusCode;
    for (let i = 0; i < 5; i++) expect(await from(CLIENT, 'wrong-password-zz')).toBe(401);
    expect(await from(CLIENT, TEST_PASSWORD)).toBe(429);
    expect(await from('198.51.100.20', TEST_PASSWORD)).toBe(303);
  });
});
