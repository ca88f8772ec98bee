// Access control of every route, found by the app's own route table (filled as routes are
// registered), so a route added later is covered here without editing this file: for each,
// a denied request (anonymous; signed in without the role), an allowed one (with the role),
// and for state-changing routes, refusal without the CSRF token.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Access, type Role } from '../../src/auth/roles.js';
import { createSession, newToken } from '../../src/auth/sessions.js';
import type { UserRecord } from '../../src/auth/users.js';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { API_PREFIX, routeTable, type RouteAccess } from '../../src/web/auth/access.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../src/web/auth/cookies.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { createTestUser, postForm, signIn } from '../helpers/web.js';
import { importCorpus } from './fixtures.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Path parameters: every table's first row has id 1 in the fresh database the test makes. */
const SAMPLE_ID = '1';

function concreteUrl(route: RouteAccess): string {
  return route.url.replace(/:[A-Za-z_]+/g, SAMPLE_ID).replace(/\*$/, 'openrem.css');
}

function isLoginRedirect(res: LightMyRequestResponse): boolean {
  const location = String(res.headers.location ?? '');
  return (res.statusCode === 302 || res.statusCode === 303) && (location === '/login' || location.startsWith('/login?next='));
}

function describeRoute(r: RouteAccess): string {
  return `${r.method} ${r.url} (${r.access})`;
}

describe.each(ENGINES)('access control on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let routes: readonly RouteAccess[];
  let target: UserRecord;
  /** For each role, a user holding every role but that one. */
  const allBut = new Map<Role, UserRecord>();
  /** For each role, a user holding only that role. */
  const only = new Map<Role, UserRecord>();
  let noRoles: UserRecord;

  /** A fresh session for each request, as some routes (sign-out) end the one they are given. */
  async function as(user: UserRecord | null, route: RouteAccess, withCsrf = true): Promise<LightMyRequestResponse> {
    const opts: InjectOptions = { method: route.method as InjectOptions['method'], url: concreteUrl(route), headers: {} };
    if (user) {
      const session = await createSession(t.db.kysely, user.id);
      opts.headers = { cookie: `${SESSION_COOKIE}=${session.token}`, ...(withCsrf ? { 'x-csrf-token': session.csrfToken } : {}) };
    } else if (withCsrf) {
      // Before sign-in the token is bound to the browser by a cookie (as the sign-in page sets it).
      const token = newToken();
      opts.headers = { cookie: `${CSRF_COOKIE}=${token}`, 'x-csrf-token': token };
    }
    if (STATE_CHANGING.has(route.method)) opts.payload = {};
    return app.inject(opts);
  }

  function userFor(access: Access): UserRecord | null {
    if (access === 'public') return null;
    return access === 'login' ? noRoles : only.get(access)!;
  }

  beforeAll(async () => {
    t = await createTestDb(engine);
    const ids = await importCorpus(t.db, ['CT-RDSR-Siemens_Flash-TAP-SS.dcm']);
    target = await createTestUser(t.db, { roles: ['view'], username: 'target' });
    expect([...ids.values()]).toEqual([1]);
    expect(target.id).toBe(1);
    for (const role of ROLES) {
      allBut.set(role, await createTestUser(t.db, { roles: ROLES.filter((r) => r !== role) }));
      only.set(role, await createTestUser(t.db, { roles: [role] }));
    }
    noRoles = await createTestUser(t.db, { roles: [] });
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    await app.ready();
    routes = routeTable(app);
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('knows every route of the interface, each with a declared access: pages, exports, patient size, quarantine, tasks, systems, settings', () => {
    const access = Object.fromEntries(routes.map((r) => [`${r.method} ${r.url}`, r.access]));
    const expected: Record<string, Access> = {
      'GET /static/*': 'public',
      'GET /help': 'public',
      'GET /login': 'public',
      'POST /login': 'public',
      'POST /logout': 'login',
      'GET /account/password': 'login',
      'POST /account/password': 'login',
      'GET /': 'view',
      'GET /ct': 'view',
      'GET /nm': 'view',
      'GET /studies/:id': 'view',
      'GET /studies/:id/delete': 'admin',
      'POST /studies/:id/delete': 'admin',
      'GET /admin/users': 'admin',
      'POST /admin/users/:id': 'admin',
      'POST /admin/users/:id/deactivate': 'admin',
      'GET /admin/audit': 'admin',
      // Exports
      'GET /exports': 'export',
      'POST /exports': 'export',
      'POST /exports/openskin': 'export',
      'GET /exports/:id/download': 'export',
      'POST /exports/delete': 'export',
      // Patient size imports
      'GET /ptsize': 'importsize',
      'POST /ptsize': 'importsize',
      'GET /ptsize/:id': 'importsize',
      'POST /ptsize/:id/columns': 'importsize',
      'GET /ptsize/:id/log.csv': 'importsize',
      'POST /ptsize/:id/delete': 'importsize',
      // Quarantine and tasks
      'GET /admin/quarantine': 'admin',
      'POST /admin/quarantine/retry': 'admin',
      'POST /admin/quarantine/delete': 'admin',
      'GET /admin/tasks': 'admin',
      'GET /api/tasks/:id': 'login',
      'POST /tasks/:id/abort': 'login',
      // Systems
      'GET /config/display-names': 'view',
      'POST /config/display-names': 'admin',
      'POST /config/display-names/:id': 'admin',
      'POST /config/display-names/:id/resort': 'admin',
      'GET /config/systems/:id/studies': 'admin',
      'POST /config/systems/:id/delete': 'admin',
      // Settings
      'GET /config': 'admin',
      'POST /config/patient-id': 'admin',
      'POST /config/not-patient': 'admin',
      'POST /config/not-patient/reapply': 'admin',
      'POST /config/after-import': 'admin',
    };
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, access[k]]))).toEqual(expected);
    // pid widens what view and export routes show (patient identifiers) rather than guarding one;
    // no page queries other DICOM nodes yet (importqr).
    expect(new Set(routes.map((r) => r.access))).toEqual(new Set(['public', 'login', ...ROLES.filter((r) => r !== 'pid' && r !== 'importqr')]));
  });

  it('refuses anonymous requests to every route that needs a sign-in: sign-in page for pages, 401 for the API', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const res = await as(null, route);
      const ok = route.url.startsWith(API_PREFIX) ? res.statusCode === 401 : isLoginRedirect(res);
      if (!ok) failures.push(`${describeRoute(route)}: ${res.statusCode} ${res.headers.location ?? ''}`);
    }
    expect(failures).toEqual([]);
  });

  it('anonymous page requests come back to the page after signing in', async () => {
    const res = await app.inject({ method: 'GET', url: '/ct?system=A%20B' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/ct?system=A%20B')}`);
  });

  it('refuses every role-bound route to a user holding every other role (403), view routes excepted: every role includes view', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      if (route.access === 'public' || route.access === 'login') continue;
      const res = await as(allBut.get(route.access)!, route);
      if (route.access === 'view') {
        if (res.statusCode === 401 || res.statusCode === 403 || isLoginRedirect(res) || res.statusCode >= 500) failures.push(`${describeRoute(route)}: ${res.statusCode} for a user with every other role`);
        continue;
      }
      if (res.statusCode !== 403) failures.push(`${describeRoute(route)}: ${res.statusCode}`);
      else if (!route.url.startsWith(API_PREFIX) && route.method !== 'HEAD') {
        if (!res.body.includes(`does not have the ${route.access} role`)) failures.push(`${describeRoute(route)}: the 403 page does not name the role`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses every view route to a signed-in user without any role, and allows it to a user holding any single role', async () => {
    const viewRoutes = routes.filter((r) => r.access === 'view');
    expect(viewRoutes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['GET /', 'GET /ct', 'GET /studies/:id', 'GET /config/display-names']));
    const failures: string[] = [];
    for (const route of viewRoutes) {
      const refused = await as(noRoles, route);
      const named = route.method === 'HEAD' || refused.body.includes('does not have the view role');
      if (refused.statusCode !== 403 || !named) failures.push(`${describeRoute(route)}: ${refused.statusCode} without roles`);
      for (const role of ROLES) {
        const res = await as(only.get(role)!, route);
        if (res.statusCode !== 200) failures.push(`${describeRoute(route)}: ${res.statusCode} for a user with only ${role}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('an error page leads back only to a page its user may open', async () => {
    const backLink = (html: string) => /<section class="panel error-page"[\s\S]*<a href="([^"]+)">([^<]+)<\/a>\s*<\/p>\s*<\/section>/.exec(html)?.slice(1, 3);
    const get = async (user: UserRecord, url: string) => {
      const session = await createSession(t.db.kysely, user.id);
      return app.inject({ method: 'GET', url, headers: { cookie: `${SESSION_COOKIE}=${session.token}` } });
    };
    // Without roles: refused the home page, sent to the account page, which opens.
    const home = await get(noRoles, '/');
    expect(home.statusCode).toBe(403);
    expect(backLink(home.body)).toEqual(['/account/password', 'Go to your account']);
    expect((await get(noRoles, '/account/password')).statusCode).toBe(200);
    expect(home.body).toContain('<a class="brand" href="/account/password">');
    // An administrator refused nothing of the studies: a refusal elsewhere leads home, which opens.
    const admin = only.get('admin')!;
    expect((await get(admin, '/studies/1')).statusCode).toBe(200);
    expect((await get(admin, '/studies/1/delete')).statusCode).toBe(200);
    expect((await get(admin, '/config/display-names')).statusCode).toBe(200);
    const refused = await get(only.get('importsize')!, '/admin/users');
    expect(refused.statusCode).toBe(403);
    expect(backLink(refused.body)).toEqual(['/', 'Back to the home page']);
    expect((await get(only.get('importsize')!, '/')).statusCode).toBe(200);
    const missing = await get(noRoles, '/no-such-page');
    expect(missing.statusCode).toBe(404);
    expect(backLink(missing.body)).toEqual(['/account/password', 'Go to your account']);
  });

  it('allows every route to a user with just the access it declares', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const res = await as(userFor(route.access), route);
      if (res.statusCode === 401 || res.statusCode === 403 || isLoginRedirect(res) || res.statusCode >= 500) {
        failures.push(`${describeRoute(route)}: ${res.statusCode} ${res.headers.location ?? ''}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses every state-changing route without the CSRF token, even to an allowed user', async () => {
    const changing = routes.filter((r) => STATE_CHANGING.has(r.method));
    expect(changing.length).toBeGreaterThan(3);
    const failures: string[] = [];
    for (const route of changing) {
      const res = await as(userFor(route.access), route, false);
      if (res.statusCode !== 403) failures.push(`${describeRoute(route)}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('shows only what the user may use: navigation for any role (all include view), the Users link for admin', async () => {
    const page = async (user: UserRecord) => {
      const session = await createSession(t.db.kysely, user.id);
      return (await app.inject({ method: 'GET', url: '/account/password', headers: { cookie: `${SESSION_COOKIE}=${session.token}` } })).body;
    };
    const viewer = await page(only.get('view')!);
    expect(viewer).toContain('<nav aria-label="Modalities">');
    expect(viewer).not.toContain('href="/admin/users"');
    expect(viewer).toContain(`<span class="username">${only.get('view')!.username}</span>`);
    expect(viewer).toMatch(/<form method="post" action="\/logout" class="sign-out"><input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{43}"><button type="submit">Sign out<\/button><\/form>/);
    const admin = await page(only.get('admin')!);
    expect(admin).toContain('href="/admin/users"');
    expect(admin).toContain('<nav aria-label="Modalities">');
    const none = await page(noRoles);
    expect(none).not.toContain('<nav aria-label="Modalities">');
    expect(none).not.toContain('href="/admin/users"');
  });
});

describe.each(ENGINES)('CSRF tokens on %s', (engine) => {
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

  const passwordForm = { current: 'x', password: 'y', password2: 'y' };

  it('refuses a form with no token, a wrong token or another session’s token; accepts the right one in the form or the header', async () => {
    const user = await signIn(t.db, { roles: ['view'] });
    const other = await signIn(t.db, { roles: ['view'] });
    const missing = await postForm(app, user, '/account/password', { ...passwordForm, _csrf: '' });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('This form has expired or did not come from this site.');
    expect((await postForm(app, user, '/account/password', { ...passwordForm, _csrf: 'A'.repeat(43) })).statusCode).toBe(403);
    expect((await postForm(app, user, '/account/password', { ...passwordForm, _csrf: other.csrf })).statusCode).toBe(403);
    // The right token reaches the form's own checks (a wrong current password).
    const right = await postForm(app, user, '/account/password', passwordForm);
    expect(right.statusCode).toBe(400);
    expect(right.body).toContain('this is not your current password');
    const header = await app.inject({
      method: 'POST',
      url: '/account/password',
      headers: { cookie: user.cookie, 'x-csrf-token': user.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(passwordForm).toString(),
    });
    expect(header.statusCode).toBe(400);
    expect(header.body).toContain('this is not your current password');
  });

  it('protects the sign-in form with a token bound to the browser by a cookie', async () => {
    const page = await app.inject({ method: 'GET', url: '/login' });
    const cookie = page.cookies.find((c) => c.name === 'openrem_csrf')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(page.body).toContain(`<input type="hidden" name="_csrf" value="${cookie.value}">`);
    const fields = { username: 'nobody', password: 'wrong-password-1' };
    expect((await postForm(app, null, '/login', { ...fields, _csrf: cookie.value })).statusCode).toBe(403);
    expect((await postForm(app, null, '/login', { ...fields, _csrf: 'B'.repeat(43) }, `openrem_csrf=${cookie.value}`)).statusCode).toBe(403);
    const accepted = await postForm(app, null, '/login', { ...fields, _csrf: cookie.value }, `openrem_csrf=${cookie.value}`);
    expect(accepted.statusCode).toBe(401);
    expect(accepted.body).toContain('The user name or password is not right');
  });
});

describe('static files', () => {
  let t: TestDb;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('are public, cached, and confined to their folder', async () => {
    const css = await app.inject({ method: 'GET', url: '/static/openrem.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=86400');
    for (const url of ['/static/../package.json', '/static/%2e%2e/%2e%2e/package.json', '/static/..%2f..%2fpackage.json', '/static/no-such.css']) {
      const res = await app.inject({ method: 'GET', url });
      // Not found, or refused as a path outside the folder.
      expect([403, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('"name": "openrem"');
    }
  });
});

describe('routes must declare their access', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('a route without access, or with an unknown one, stops the app from starting', async () => {
    const app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    expect(() => app.get('/forgotten', async () => 'x')).toThrow(
      "route GET /forgotten must declare who may use it with config: { access: 'public' | 'login' | a role }",
    );
    expect(() => app.post('/typo', { config: { access: 'admins' as Access } }, async () => 'x')).toThrow('(got "admins")');
    // Inside a plugin, the failure surfaces when the app starts.
    const start = async () => {
      await app.register(async (scope) => {
        scope.get('/in-plugin', async () => 'x');
      });
      await app.ready();
    };
    await expect(start()).rejects.toThrow('route GET /in-plugin must declare who may use it');
    await app.close();
  });
});
