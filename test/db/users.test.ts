// User storage on each engine: names unique regardless of case, a salt of its own for every
// password, old hashes upgraded at sign-in, and the audit log.
import { scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit, recordAudit } from '../../src/audit/log.js';
import { authenticate, createUser, findUserByName, listUsers, UserError } from '../../src/auth/users.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

const PASSWORD = 'amber-lantern-quietly-77';

describe.each(ENGINES)('users and audit log on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(engine);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('is migrated by 0002_users_sessions_audit', async () => {
    const rows = await t.db.kysely.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(rows.map((r) => (r as { name: string }).name)).toContain('0002_users_sessions_audit');
  });

  it('keeps user names unique regardless of case, in the code and in the database', async () => {
    const alice = await createUser(t.db.kysely, { username: 'Alice', password: PASSWORD, roles: ['view', 'view', 'admin'] });
    expect(alice).toMatchObject({ username: 'Alice', roles: ['view', 'admin'], isActive: true, isSuperuser: false, lastLoginAt: null });
    await expect(createUser(t.db.kysely, { username: 'ALICE', password: PASSWORD })).rejects.toThrow(new UserError('a user named "ALICE" already exists'));
    const now = new Date().toISOString();
    await expect(
      t.db.kysely.insertInto('app_user').values({ username: 'aLiCe', password_hash: 'x', created_at: now, password_changed_at: now }).execute(),
    ).rejects.toThrow(/unique/i);
    expect((await findUserByName(t.db.kysely, ' alice '))?.id).toBe(alice.id);
    await expect(createUser(t.db.kysely, { username: 'two words', password: PASSWORD })).rejects.toThrow('user name "two words": use 1 to 150 unaccented letters');
    await expect(createUser(t.db.kysely, { username: 'bob', password: 'bob-password' })).rejects.toThrow('password must not contain your user name or name');
  });

  it('gives every password a salt of its own', async () => {
    await createUser(t.db.kysely, { username: 'twin1', password: PASSWORD });
    await createUser(t.db.kysely, { username: 'twin2', password: PASSWORD });
    const rows = await t.db.kysely.selectFrom('app_user').select(['username', 'password_hash']).where('username', 'in', ['twin1', 'twin2']).execute();
    const [a, b] = rows.map((r) => r.password_hash.split('$'));
    expect(a![4]).not.toBe(b![4]);
    expect(a![5]).not.toBe(b![5]);
    expect((await authenticate(t.db.kysely, 'twin1', PASSWORD))?.username).toBe('twin1');
    expect(await authenticate(t.db.kysely, 'twin1', `${PASSWORD}x`)).toBeNull();
  });

  it('upgrades a hash made with older parameters when the user signs in', async () => {
    const user = await createUser(t.db.kysely, { username: 'veteran', password: PASSWORD });
    const salt = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const old = ['scrypt', 1024, 8, 1, salt.toString('base64'), scryptSync(PASSWORD, salt, 64, { N: 1024, r: 8, p: 1 }).toString('base64')].join('$');
    await t.db.kysely.updateTable('app_user').set({ password_hash: old }).where('id', '=', user.id).execute();
    const signedIn = await authenticate(t.db.kysely, 'veteran', PASSWORD, '2030-01-02T03:04:05.000Z');
    expect(signedIn?.lastLoginAt).toBe('2030-01-02T03:04:05.000Z');
    const row = await t.db.kysely.selectFrom('app_user').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.password_hash.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(row.last_login_at).toBe('2030-01-02T03:04:05.000Z');
    expect((await authenticate(t.db.kysely, 'veteran', PASSWORD))?.id).toBe(user.id);
  });

  it('lists users by name regardless of case', async () => {
    expect((await listUsers(t.db.kysely)).map((u) => u.username)).toEqual(['Alice', 'twin1', 'twin2', 'veteran']);
  });

  it('records and reads the audit log, newest first, by action or action family', async () => {
    await recordAudit(t.db.kysely, { actor: { id: 7, username: 'alice' }, action: 'study.delete', target: 'study 42', details: { modality: 'CT' } }, new Date('2030-01-01T00:00:00Z'));
    await recordAudit(t.db.kysely, { actor: { username: 'command line' }, action: 'study.delete', target: 'study 43' }, new Date('2030-01-01T00:01:00Z'));
    await recordAudit(t.db.kysely, { actor: null, action: 'login.failed', target: 'user x' }, new Date('2030-01-01T00:02:00Z'));
    const deletions = await readAudit(t.db.kysely, { action: 'study.delete' });
    expect(deletions).toEqual([
      { id: expect.any(Number), at: '2030-01-01T00:01:00.000Z', actorId: null, actor: 'command line', action: 'study.delete', target: 'study 43', details: null },
      { id: expect.any(Number), at: '2030-01-01T00:00:00.000Z', actorId: 7, actor: 'alice', action: 'study.delete', target: 'study 42', details: { modality: 'CT' } },
    ]);
    expect((await readAudit(t.db.kysely, { action: 'login.*' })).map((e) => e.target)).toEqual(['user x']);
    expect(await readAudit(t.db.kysely, { limit: 1 })).toHaveLength(1);
  });
});
