// `openrem users`: accounts from the command line, above all the first administrator, which
// nobody can make in the web interface before anyone can sign in.
import { recordAudit, type AuditActor } from '../audit/log.js';
import { passwordProblem } from '../auth/passwords.js';
import { parseRoleList, ROLES, type Role } from '../auth/roles.js';
import { createUser, findUserByName, listUsers, setPassword, updateUser, UserError, usernameProblem, type UserRecord } from '../auth/users.js';
import type { Db } from '../db/connect.js';
import { atMost, parseArgs, UsageError, type ParsedArgs } from './args.js';
import { withDatabase } from './context.js';
import { writeLine } from './output.js';
import { USAGE_ERROR } from './main.js';

const USAGE = [
  'Usage:',
  '  openrem users create USERNAME [--admin] [--roles ROLE,...] [--full-name NAME] [--email ADDRESS] [--password-stdin]',
  '  openrem users list [--json]',
  '  openrem users passwd USERNAME [--password-stdin]',
  '  openrem users deactivate USERNAME',
  '  openrem users activate USERNAME',
  '',
  `Roles: ${ROLES.join(', ')}. Without --roles a new user gets view; --admin makes a superuser, who holds every role.`,
  'Passwords are asked for twice on the terminal (not shown); --password-stdin reads one line instead, for scripts.',
].join('\n');

const CLI_ACTOR: AuditActor = { username: 'command line' };

class Cancelled extends Error {}

function oneUsername(parsed: ParsedArgs): string {
  if (parsed.positional.length === 0) throw new UsageError('a user name is needed');
  atMost(parsed.positional, 1);
  return parsed.positional[0]!;
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Reads a line from the terminal without showing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the prompt shows, so nothing typed after it can appear.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || (ch === '\u0004' && value === '')) return finish(new Cancelled('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A new password: one line from stdin, or asked twice on the terminal until it meets the rules. */
async function newPassword(fromStdin: boolean, personal: readonly string[]): Promise<string> {
  if (fromStdin) {
    const password = await readStdinLine();
    const problem = passwordProblem(password, personal);
    if (problem) throw new UserError(`password ${problem}`);
    return password;
  }
  if (!process.stdin.isTTY) throw new UsageError('there is no terminal to ask for the password on; pipe it in with --password-stdin');
  for (let attempt = 1; ; attempt++) {
    const password = await promptHidden('Password: ');
    const problem = passwordProblem(password, personal);
    if (!problem && (await promptHidden('Password (again): ')) === password) return password;
    const reason = problem ? `That password ${problem}.` : 'The two passwords differ.';
    if (attempt === 3) throw new UserError(`${reason} Giving up after three attempts.`);
    process.stderr.write(`${reason} Try again.\n`);
  }
}

/** Reads one visible line from the terminal. */
function promptLine(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.resume();
  return new Promise((resolve) => {
    let value = '';
    const onData = (chunk: Buffer) => {
      value += chunk.toString('utf8');
      const end = value.search(/\r?\n/);
      if (end < 0) return;
      stdin.off('data', onData);
      stdin.pause();
      resolve(value.slice(0, end).trim());
    };
    stdin.on('data', onData);
  });
}

/**
 * First start on a terminal with no accounts: asks for the first administrator right there,
 * so `npm start` alone gives a newcomer a server they can sign in to. Returns false when the
 * user declines (an empty name) or there is no terminal to ask on.
 */
export async function offerFirstAdministrator(db: Db): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  process.stderr.write('No user accounts yet. Create the first administrator now (leave the name empty to skip).\n');
  for (;;) {
    const username = await promptLine('User name: ');
    if (username === '') return false;
    const nameProblem = usernameProblem(username);
    if (nameProblem) {
      process.stderr.write(`That user name ${nameProblem}.\n`);
      continue;
    }
    try {
      const password = await newPassword(false, [username]);
      const user = await createUser(db.kysely, { username, password, fullName: '', email: null, roles: [], isSuperuser: true });
      await recordAudit(db.kysely, { actor: CLI_ACTOR, action: 'user.create', target: `user ${user.username}`, details: { roles: user.roles, superuser: true, firstRun: true } });
      process.stderr.write(`Created ${user.username} (superuser, every role).\n`);
      return true;
    } catch (err) {
      if (err instanceof Cancelled) return false;
      if (!(err instanceof UserError)) throw err;
      process.stderr.write(`${err.message}\n`);
    }
  }
}

function describeRoles(user: Pick<UserRecord, 'roles' | 'isSuperuser'>): string {
  if (user.isSuperuser) return 'superuser (every role)';
  return user.roles.length ? user.roles.join(',') : '(none)';
}

async function create(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ['roles', 'full-name', 'email'], ['admin', 'password-stdin']);
  const username = oneUsername(parsed);
  const nameProblem = usernameProblem(username);
  if (nameProblem) throw new UserError(`user name "${username}": ${nameProblem}`);
  const rolesText = parsed.options.get('roles');
  let roles: Role[] = ['view'];
  if (typeof rolesText === 'string') {
    try {
      roles = parseRoleList(rolesText);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const isSuperuser = parsed.options.has('admin');
  const fullName = (parsed.options.get('full-name') as string | undefined) ?? '';
  const email = (parsed.options.get('email') as string | undefined) ?? null;
  return withDatabase(async (db) => {
    if (await findUserByName(db.kysely, username)) throw new UserError(`a user named "${username}" already exists (names are compared regardless of case)`);
    const password = await newPassword(parsed.options.has('password-stdin'), [username, fullName]);
    const user = await createUser(db.kysely, { username, password, fullName, email, roles: isSuperuser ? [] : roles, isSuperuser });
    await recordAudit(db.kysely, { actor: CLI_ACTOR, action: 'user.create', target: `user ${user.username}`, details: { roles: user.roles, superuser: user.isSuperuser } });
    console.log(`created user ${user.username}: ${describeRoles(user)}`);
    return 0;
  });
}

async function list(args: string[]): Promise<number> {
  const parsed = parseArgs(args, [], ['json']);
  atMost(parsed.positional, 0);
  return withDatabase(async (db) => {
    const users = await listUsers(db.kysely);
    if (parsed.options.has('json')) {
      for (const u of users) {
        await writeLine(JSON.stringify({ username: u.username, fullName: u.fullName, email: u.email, active: u.isActive, superuser: u.isSuperuser, roles: u.roles, createdAt: u.createdAt, lastLoginAt: u.lastLoginAt }));
      }
      return 0;
    }
    if (!users.length) {
      console.log('no users yet; create the first administrator with: openrem users create NAME --admin');
      return 0;
    }
    const rows = [
      ['USERNAME', 'STATUS', 'ROLES', 'LAST SIGN-IN (UTC)', 'NAME'],
      ...users.map((u) => [u.username, u.isActive ? 'active' : 'deactivated', describeRoles(u), u.lastLoginAt ? `${u.lastLoginAt.slice(0, 10)} ${u.lastLoginAt.slice(11, 16)}` : 'never', u.fullName]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) await writeLine(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
    return 0;
  });
}

async function existing(db: Parameters<Parameters<typeof withDatabase>[0]>[0], username: string): Promise<UserRecord> {
  const user = await findUserByName(db.kysely, username);
  if (!user) throw new UserError(`there is no user named "${username}"; see openrem users list`);
  return user;
}

async function passwd(args: string[]): Promise<number> {
  const parsed = parseArgs(args, [], ['password-stdin']);
  const username = oneUsername(parsed);
  return withDatabase(async (db) => {
    const user = await existing(db, username);
    const password = await newPassword(parsed.options.has('password-stdin'), [user.username, user.fullName]);
    await setPassword(db.kysely, user, password);
    await recordAudit(db.kysely, { actor: CLI_ACTOR, action: 'user.password', target: `user ${user.username}`, details: { by: 'command line' } });
    console.log(`password of ${user.username} changed; their sessions were signed out`);
    return 0;
  });
}

async function setActive(args: string[], active: boolean): Promise<number> {
  const username = oneUsername(parseArgs(args, [], []));
  return withDatabase(async (db) => {
    const user = await existing(db, username);
    if (user.isActive === active) {
      console.log(`${user.username} is already ${active ? 'active' : 'deactivated'}`);
      return 0;
    }
    await updateUser(db.kysely, user.id, { isActive: active });
    await recordAudit(db.kysely, { actor: CLI_ACTOR, action: active ? 'user.activate' : 'user.deactivate', target: `user ${user.username}` });
    console.log(active ? `${user.username} activated` : `${user.username} deactivated and signed out`);
    return 0;
  });
}

export async function runUsers(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  try {
    switch (action) {
      case 'create':
        return await create(rest);
      case 'list':
        return await list(rest);
      case 'passwd':
        return await passwd(rest);
      case 'deactivate':
        return await setActive(rest, false);
      case 'activate':
        return await setActive(rest, true);
      default:
        throw new UsageError(action ? `unknown action "${action}"` : 'an action is needed');
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`openrem users: ${err.message}\n\n${USAGE}`);
      return USAGE_ERROR;
    }
    if (err instanceof UserError) {
      console.error(`openrem users: ${err.message}`);
      return 1;
    }
    if (err instanceof Cancelled) {
      console.error('openrem users: cancelled');
      return 130;
    }
    throw err;
  }
}
