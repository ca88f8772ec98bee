// User administration pages: listing, adding (with the validation messages), changing roles,
// deactivating, the limits that keep administrators from locking themselves out, and the audit log.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/log.js';
import { authenticate, findUserByName } from '../../src/auth/users.js';
import { configFromEnv } from '../../src/config.js';
import { buildApp } from '../../src/web/app.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { postForm, requester, signIn, signInWithForm, type TestUser } from '../helpers/web.js';

const GOOD_PASSWORD = 'copper-meadow-sailing-41';

describe.each(ENGINES)('user administration on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let admin: TestUser;
  let superuser: TestUser;

  beforeAll(async () => {
    t = await createTestDb(engine);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env) });
    admin = await signIn(t.db, { roles: ['view', 'admin'], username: 'ada' });
    superuser = await signIn(t.db, { superuser: true, username: 'root-user' });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  const newUser = (fields: Record<string, string | string[]>, as = admin) =>
    postForm(app, as, '/admin/users', { username: '', fullName: '', email: '', password: GOOD_PASSWORD, password2: GOOD_PASSWORD, ...fields });

  it('lists users with their roles and status', async () => {
    const res = await requester(app, admin)('/admin/users');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Users</h1>');
    expect(res.body).toMatch(/<tr data-username="ada"><td><a href="\/admin\/users\/\d+">ada<\/a><\/td><td>Test ada<\/td><td><span class="missing"[^>]*>–<\/span><\/td><td><span class="roles"><span class="role" title="see studies, lists and charts \(every other role includes this\)">view<\/span><span class="role" title="[^"]+">admin<\/span><\/span><\/td><td>active<\/td>/);
    expect(res.body).toContain('<span class="role superuser">superuser (every role)</span>');
    expect(res.body).toContain('<a href="/admin/users/new" class="button-link">Add a user</a>');
    // What roles mean, as the access checks apply them; nothing about features this version lacks.
    expect(res.body).toContain('<p>Every role includes view: a user with any role sees the studies their work is about.');
    expect(res.body).toContain('<dt>importqr</dt><dd>reserved for query-retrieve from other DICOM systems, which is not available yet</dd>');
    expect(res.body).not.toContain('DICOM nodes');
    const form = (await requester(app, admin)('/admin/users/new')).body;
    expect(form).toContain('<p class="hint">Every role includes view: a user with any role sees the studies their work is about.');
    expect(form).not.toContain('DICOM nodes');
  });

  it('adds a user, who can then sign in with the roles given', async () => {
    const form = await requester(app, admin)('/admin/users/new');
    expect(form.body).toContain('<input type="checkbox" name="roles" value="view" checked>');
    // Only superusers are offered the superuser box.
    expect(form.body).not.toContain('name="isSuperuser"');
    expect((await requester(app, superuser)('/admin/users/new')).body).toContain('name="isSuperuser"');

    const res = await newUser({ username: 'Grace.H', fullName: 'Grace Hopper', email: 'grace@example.org', roles: ['view', 'export'] });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/users?created=Grace.H');
    expect((await requester(app, admin)('/admin/users?created=Grace.H')).body).toContain('<p class="success">User Grace.H added.</p>');
    const grace = await findUserByName(t.db.kysely, 'grace.h');
    expect(grace).toMatchObject({ username: 'Grace.H', fullName: 'Grace Hopper', email: 'grace@example.org', roles: ['view', 'export'], isSuperuser: false, isActive: true });
    const signedIn = await signInWithForm(app, 'grace.h', GOOD_PASSWORD);
    expect(signedIn.response.statusCode).toBe(303);
    const audit = await readAudit(t.db.kysely, { action: 'user.create' });
    expect(audit[0]).toMatchObject({ actor: 'ada', target: 'user Grace.H', details: { roles: ['view', 'export'], superuser: false } });
  });

  it('sends the form back with a message for each problem, keeping what was typed', async () => {
    const empty = await newUser({ username: '', password: '', password2: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('<li>User name: enter a user name</li>');
    const bad = await newUser({ username: 'bad name!', email: 'not-an-address', fullName: 'Bad Name', roles: ['view', 'wizard'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<li>User name: use 1 to 150 unaccented letters (A–Z, a–z), digits and . _ @ - (starting with a letter or digit)</li>');
    expect(bad.body).toContain('<li>E-mail: not a valid e-mail address</li>');
    expect(bad.body).toContain('<li>Roles: unknown role; roles are view, importsize, importqr, export, pid, admin</li>');
    expect(bad.body).toContain('value="Bad Name"');
    expect(bad.body).toContain('aria-invalid="true"');
    // Every problem at once: the password's too, when the name is wrong as well.
    const both = await newUser({ username: 'bad name!', password: 'short', password2: 'short' });
    expect(both.body).toContain('<li>User name: use 1 to 150 unaccented letters');
    expect(both.body).toContain('<li>Password: must be at least 10 characters long</li>');
    const weak = await newUser({ username: 'weakling', password: 'weakling123', password2: 'weakling123' });
    expect(weak.body).toContain('<li>Password: must not contain your user name or name</li>');
    const keyboard = await newUser({ username: 'typist', password: 'qwertyuiop', password2: 'qwertyuiop' });
    expect(keyboard.body).toContain('<li>Password: is a keyboard or alphabet sequence</li>');
    const differ = await newUser({ username: 'twice', password2: `${GOOD_PASSWORD}x` });
    expect(differ.body).toContain('<li>Password again: the two passwords differ</li>');
    const taken = await newUser({ username: 'ADA' });
    expect(taken.body).toContain('<li>User name: a user with this name already exists (names are compared regardless of case)</li>');
    const notSuper = await newUser({ username: 'wannabe', isSuperuser: '1' });
    expect(notSuper.body).toContain('<li>Superuser: only a superuser can make or unmake superusers</li>');
    expect(await findUserByName(t.db.kysely, 'wannabe')).toBeNull();
  });

  it('changes roles and details; a new password set by an administrator signs the user out', async () => {
    const bob = await signIn(t.db, { roles: ['view'], username: 'bob' });
    const path = `/admin/users/${bob.user.id}`;
    const edit = await requester(app, admin)(path);
    expect(edit.body).toContain('<h1>User bob</h1>');
    expect(edit.body).toContain('readonly');
    const save = await postForm(app, admin, path, { username: 'ignored', fullName: 'Bob B', email: '', roles: ['view', 'pid'], isActive: '1', password: '', password2: '' });
    expect(save.statusCode).toBe(303);
    expect(save.headers.location).toBe('/admin/users?saved=bob');
    expect(await findUserByName(t.db.kysely, 'bob')).toMatchObject({ username: 'bob', fullName: 'Bob B', roles: ['view', 'pid'] });
    expect((await requester(app, bob)('/ct')).statusCode).toBe(200);
    const change = (await readAudit(t.db.kysely, { action: 'user.update' }))[0];
    expect(change).toMatchObject({ actor: 'ada', target: 'user bob', details: { fullName: { from: 'Test bob', to: 'Bob B' }, roles: { from: ['view'], to: ['view', 'pid'] } } });

    await postForm(app, admin, path, { fullName: 'Bob B', roles: ['pid'], isActive: '1', password: 'harbour-violet-candle-8', password2: 'harbour-violet-candle-8' });
    expect((await requester(app, bob)('/ct')).statusCode).toBe(302);
    expect((await authenticate(t.db.kysely, 'bob', 'harbour-violet-candle-8'))?.roles).toEqual(['pid']);
  });

  it('deactivates a user: signed out at once and unable to sign in; kept in the list', async () => {
    const carol = await signIn(t.db, { roles: ['view'], username: 'carol' });
    const edit = await requester(app, admin)(`/admin/users/${carol.user.id}`);
    expect(edit.body).toContain(`<form method="post" action="/admin/users/${carol.user.id}/deactivate">`);
    const res = await postForm(app, admin, `/admin/users/${carol.user.id}/deactivate`, {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/users?deactivated=carol');
    expect((await requester(app, carol)('/ct')).statusCode).toBe(302);
    expect((await signInWithForm(app, 'carol', 'amber-lantern-quietly-77')).response.statusCode).toBe(401);
    const list = await requester(app, admin)('/admin/users?deactivated=carol');
    expect(list.body).toContain('<p class="success">carol deactivated and signed out.</p>');
    expect(list.body).toMatch(/<tr class="inactive" data-username="carol">.*?<td>deactivated<\/td>/);
    expect((await readAudit(t.db.kysely, { action: 'user.deactivate' }))[0]).toMatchObject({ actor: 'ada', target: 'user carol' });
    // Ticking Active again restores the account.
    await postForm(app, admin, `/admin/users/${carol.user.id}`, { roles: ['view'], isActive: '1' });
    expect((await signInWithForm(app, 'carol', 'amber-lantern-quietly-77')).response.statusCode).toBe(303);
  });

  it('keeps administrators from locking themselves or superusers out', async () => {
    const self = `/admin/users/${admin.user.id}`;
    const dropAdmin = await postForm(app, admin, self, { roles: ['view'], isActive: '1' });
    expect(dropAdmin.statusCode).toBe(400);
    expect(dropAdmin.body).toContain('<li>Roles: you cannot remove your own admin role; another administrator can</li>');
    // The Active box is disabled on one's own account (so not sent): that does not deactivate it.
    expect((await postForm(app, admin, self, { roles: ['view', 'admin'], fullName: 'Ada L' })).statusCode).toBe(303);
    expect(await findUserByName(t.db.kysely, 'ada')).toMatchObject({ isActive: true, fullName: 'Ada L' });
    const selfOff = await postForm(app, admin, `${self}/deactivate`, {});
    expect(selfOff.statusCode).toBe(400);
    expect(selfOff.body).toContain('You cannot deactivate your own account; another administrator can.');

    const onSuper = await postForm(app, admin, `/admin/users/${superuser.user.id}`, { roles: [], isActive: '' });
    expect(onSuper.statusCode).toBe(403);
    expect(onSuper.body).toContain('Only a superuser can change the account of root-user, who is a superuser.');
    expect((await postForm(app, admin, `/admin/users/${superuser.user.id}/deactivate`, {})).statusCode).toBe(403);
    expect(await findUserByName(t.db.kysely, 'root-user')).toMatchObject({ isActive: true, isSuperuser: true });

    // A superuser can make another superuser.
    const dave = await signIn(t.db, { roles: ['view'], username: 'dave' });
    expect((await postForm(app, superuser, `/admin/users/${dave.user.id}`, { roles: ['view'], isActive: '1', isSuperuser: '1' })).statusCode).toBe(303);
    expect((await requester(app, dave)('/admin/users')).statusCode).toBe(200);
  });

  it('unknown users: 404', async () => {
    for (const url of ['/admin/users/999999', '/admin/users/abc']) expect((await requester(app, admin)(url)).statusCode, url).toBe(404);
  });

  it('shows the audit log, newest first', async () => {
    const res = await requester(app, admin)('/admin/audit');
    expect(res.statusCode).toBe(200);
    const actions = [...res.body.matchAll(/<td><code>([a-z.]+)<\/code><\/td>/g)].map((m) => m[1]);
    expect(actions.slice(0, 2)).toEqual(['user.update', 'user.update']);
    expect(actions).toContain('user.create');
    expect(actions).toContain('user.deactivate');
    expect(res.body).toContain('<td>user carol</td>');
  });
});
