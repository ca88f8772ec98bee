// User accounts: creating, finding, changing and signing in. Passwords are hashed here and
// nowhere else; user names are unique regardless of case.
import { sql, type Kysely, type Updateable } from 'kysely';
import type { AppUserRow, AppUserTable, Database } from '../db/schema.js';
import { decoyHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.js';
import { grantedRoles, isRole, sortRoles, type Role } from './roles.js';

/** The signed-in user as routes and templates see it. */
export interface AuthUser {
  id: number;
  username: string;
  fullName: string;
  /** The roles held in effect (grantedRoles): a superuser's are all, and any role brings view. */
  roles: readonly Role[];
  isSuperuser: boolean;
  hasRole(role: Role): boolean;
}

/** A user account as administration pages and the command line show it. */
export interface UserRecord {
  id: number;
  username: string;
  fullName: string;
  email: string | null;
  isActive: boolean;
  isSuperuser: boolean;
  roles: Role[];
  createdAt: string;
  lastLoginAt: string | null;
  passwordChangedAt: string;
}

/** A request that cannot be carried out as asked; the message says why, for the user. */
export class UserError extends Error {}

/** Letters, digits and . _ @ - (an e-mail address works), starting with a letter or digit. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/;
export const USERNAME_RULE = 'use 1 to 150 unaccented letters (A–Z, a–z), digits and . _ @ - (starting with a letter or digit)';

export function usernameProblem(username: string): string | null {
  return USERNAME_PATTERN.test(username) ? null : USERNAME_RULE;
}

function parseRoles(json: string): Role[] {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) ? sortRoles(list.filter((r): r is Role => typeof r === 'string' && isRole(r))) : [];
  } catch {
    return [];
  }
}

export function toUserRecord(row: AppUserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    fullName: row.full_name,
    email: row.email,
    isActive: row.is_active === 1,
    isSuperuser: row.is_superuser === 1,
    roles: parseRoles(row.roles),
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    passwordChangedAt: row.password_changed_at,
  };
}

export function toAuthUser(user: Pick<UserRecord, 'id' | 'username' | 'fullName' | 'roles' | 'isSuperuser'>): AuthUser {
  const roles: readonly Role[] = grantedRoles(user.roles, user.isSuperuser);
  return {
    id: user.id,
    username: user.username,
    fullName: user.fullName,
    roles,
    isSuperuser: user.isSuperuser,
    hasRole: (role) => roles.includes(role),
  };
}

export async function findUserByName(q: Kysely<Database>, username: string): Promise<UserRecord | null> {
  const row = await q.selectFrom('app_user').selectAll().where(sql<string>`lower(username)`, '=', username.trim().toLowerCase()).executeTakeFirst();
  return row ? toUserRecord(row) : null;
}

export async function findUserById(q: Kysely<Database>, id: number): Promise<UserRecord | null> {
  const row = await q.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toUserRecord(row) : null;
}

export async function listUsers(q: Kysely<Database>): Promise<UserRecord[]> {
  const rows = await q.selectFrom('app_user').selectAll().orderBy(sql`lower(username)`).execute();
  return rows.map(toUserRecord);
}

export async function countUsers(q: Kysely<Database>): Promise<number> {
  const row = await q.selectFrom('app_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewUser {
  username: string;
  password: string;
  fullName?: string;
  email?: string | null;
  roles?: readonly Role[];
  isSuperuser?: boolean;
  isActive?: boolean;
}

/** Throws UserError when the name is taken or invalid, or the password is too weak. */
export async function createUser(q: Kysely<Database>, input: NewUser, now = new Date().toISOString()): Promise<UserRecord> {
  const username = input.username.trim();
  const nameProblem = usernameProblem(username);
  if (nameProblem) throw new UserError(`user name "${username}": ${nameProblem}`);
  const weak = passwordProblem(input.password, [username, input.fullName]);
  if (weak) throw new UserError(`password ${weak}`);
  if (await findUserByName(q, username)) throw new UserError(`a user named "${username}" already exists`);
  const row = await q
    .insertInto('app_user')
    .values({
      username,
      full_name: input.fullName?.trim() ?? '',
      email: input.email?.trim() || null,
      password_hash: await hashPassword(input.password),
      is_active: input.isActive === false ? 0 : 1,
      is_superuser: input.isSuperuser ? 1 : 0,
      roles: JSON.stringify(sortRoles(input.roles ?? [])),
      created_at: now,
      password_changed_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toUserRecord(row);
}

export interface UserChanges {
  fullName?: string;
  email?: string | null;
  roles?: readonly Role[];
  isSuperuser?: boolean;
  isActive?: boolean;
}

export async function updateUser(q: Kysely<Database>, id: number, changes: UserChanges): Promise<void> {
  const values: Updateable<AppUserTable> = {};
  if (changes.fullName !== undefined) values.full_name = changes.fullName.trim();
  if (changes.email !== undefined) values.email = changes.email?.trim() || null;
  if (changes.roles !== undefined) values.roles = JSON.stringify(sortRoles(changes.roles));
  if (changes.isSuperuser !== undefined) values.is_superuser = changes.isSuperuser ? 1 : 0;
  if (changes.isActive !== undefined) values.is_active = changes.isActive ? 1 : 0;
  if (Object.keys(values).length === 0) return;
  await q.updateTable('app_user').set(values).where('id', '=', id).execute();
  if (changes.isActive === false) await q.deleteFrom('user_session').where('user_id', '=', id).execute();
}

/** Sets a new password (checked against the rules) and ends the user's other sessions. */
export async function setPassword(q: Kysely<Database>, user: UserRecord, password: string, opts: { keepSessionHash?: string; now?: string } = {}): Promise<void> {
  const weak = passwordProblem(password, [user.username, user.fullName]);
  if (weak) throw new UserError(`password ${weak}`);
  const now = opts.now ?? new Date().toISOString();
  await q.updateTable('app_user').set({ password_hash: await hashPassword(password), password_changed_at: now }).where('id', '=', user.id).execute();
  let sessions = q.deleteFrom('user_session').where('user_id', '=', user.id);
  if (opts.keepSessionHash) sessions = sessions.where('token_hash', '<>', opts.keepSessionHash);
  await sessions.execute();
}

/**
 * The active user with this name and password, or null. Costs the same whether or not the
 * user exists, so timing does not tell which names do. Upgrades old hashes on success.
 */
export async function authenticate(q: Kysely<Database>, username: string, password: string, now = new Date().toISOString()): Promise<UserRecord | null> {
  const row = await q.selectFrom('app_user').selectAll().where(sql<string>`lower(username)`, '=', username.trim().toLowerCase()).executeTakeFirst();
  if (!row) {
    await verifyPassword(password, await decoyHash());
    return null;
  }
  if (!(await verifyPassword(password, row.password_hash)) || row.is_active !== 1) return null;
  const update: { last_login_at: string; password_hash?: string } = { last_login_at: now };
  if (needsRehash(row.password_hash)) update.password_hash = await hashPassword(password);
  await q.updateTable('app_user').set(update).where('id', '=', row.id).execute();
  return toUserRecord({ ...row, last_login_at: now });
}

/** Checks a user's current password (for changing it). */
export async function checkPassword(q: Kysely<Database>, userId: number, password: string): Promise<boolean> {
  const row = await q.selectFrom('app_user').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return row ? verifyPassword(password, row.password_hash) : false;
}
