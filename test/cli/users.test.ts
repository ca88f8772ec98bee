// `openrem users` through the built command on each engine: creating the first administrator,
// listing, changing passwords, deactivating, and the refusals with their reasons.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/log.js';
import { createSession } from '../../src/auth/sessions.js';
import { authenticate, findUserByName } from '../../src/auth/users.js';
import { openrem } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

const PASSWORD = 'amber-lantern-quietly-77';

for (const engine of ENGINES) {
  describe(`openrem users (${engine})`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterAll(async () => {
      await t.cleanup();
    });
    const users = (args: string[], input?: string) => openrem(['users', ...args], t.env, input);

    it('says how to create the first administrator while there is none', () => {
      const r = users(['list']);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('no users yet; create the first administrator with: openrem users create NAME --admin\n');
    });

    it('creates the first administrator from a password on stdin; the web sign-in accepts it', async () => {
      const r = users(['create', 'Root', '--admin', '--full-name', 'Site Admin', '--email=admin@example.org', '--password-stdin'], `${PASSWORD}\n`);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('created user Root: superuser (every role)\n');
      expect(await findUserByName(t.db.kysely, 'root')).toMatchObject({ username: 'Root', fullName: 'Site Admin', email: 'admin@example.org', isSuperuser: true, isActive: true });
      expect((await authenticate(t.db.kysely, 'root', PASSWORD))?.username).toBe('Root');
      expect((await readAudit(t.db.kysely, { action: 'user.create' }))[0]).toMatchObject({ actor: 'command line', actorId: null, target: 'user Root' });
    });

    it('creates users with roles (view when none are given) and lists them', () => {
      expect(users(['create', 'physicist', '--roles', 'export,view,pid', '--password-stdin'], `${PASSWORD}\n`).stdout).toBe('created user physicist: view,export,pid\n');
      expect(users(['create', 'reader', '--password-stdin'], `${PASSWORD}\n`).stdout).toBe('created user reader: view\n');
      const table = users(['list']);
      expect(table.status).toBe(0);
      expect(table.stdout.split('\n')).toEqual([
        'USERNAME   STATUS  ROLES                   LAST SIGN-IN (UTC)  NAME',
        expect.stringMatching(/^physicist {2}active {2}view,export,pid\s+never$/),
        expect.stringMatching(/^reader {5}active {2}view\s+never$/),
        expect.stringMatching(/^Root {7}active {2}superuser \(every role\)\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Site Admin$/),
        '',
      ]);
      const json = users(['list', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(json.map((u) => [u.username, u.roles, u.superuser, u.active])).toEqual([
        ['physicist', ['view', 'export', 'pid'], false, true],
        ['reader', ['view'], false, true],
        ['Root', [], true, true],
      ]);
    });

    it('refuses with a reason: taken names, unknown roles, weak passwords, bad names, no terminal', () => {
      const taken = users(['create', 'ROOT', '--password-stdin'], `${PASSWORD}\n`);
      expect(taken.status).toBe(1);
      expect(taken.stderr).toBe('openrem users: a user named "ROOT" already exists (names are compared regardless of case)\n');
      const role = users(['create', 'someone', '--roles', 'view,wizard', '--password-stdin'], `${PASSWORD}\n`);
      expect(role.status).toBe(2);
      expect(role.stderr).toContain('openrem users: unknown role wizard; roles are view, importsize, importqr, export, pid, admin');
      const weak = users(['create', 'someone', '--password-stdin'], 'password123\n');
      expect(weak.status).toBe(1);
      expect(weak.stderr).toBe('openrem users: password is a common password (adding digits or symbols does not make it safe)\n');
      const short = users(['create', 'someone', '--password-stdin'], 'tiny\n');
      expect(short.stderr).toBe('openrem users: password must be at least 10 characters long\n');
      const name = users(['create', 'some one', '--password-stdin'], `${PASSWORD}\n`);
      expect(name.status).toBe(1);
      expect(name.stderr).toBe('openrem users: user name "some one": use 1 to 150 unaccented letters (A–Z, a–z), digits and . _ @ - (starting with a letter or digit)\n');
      const noTerminal = users(['create', 'someone']);
      expect(noTerminal.status).toBe(2);
      expect(noTerminal.stderr).toContain('there is no terminal to ask for the password on; pipe it in with --password-stdin');
      expect(users(['frobnicate']).status).toBe(2);
      expect(users(['create']).stderr).toContain('a user name is needed');
      expect(users(['list', '--verbose']).stderr).toContain('unknown option --verbose');
      expect(users(['list', '--json']).stdout).not.toContain('someone');
    });

    it('sets a new password, which signs the user out', async () => {
      const reader = (await findUserByName(t.db.kysely, 'reader'))!;
      await createSession(t.db.kysely, reader.id);
      const r = users(['passwd', 'READER', '--password-stdin'], 'willow-garnet-pepper-19\n');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('password of reader changed; their sessions were signed out\n');
      expect(await authenticate(t.db.kysely, 'reader', PASSWORD)).toBeNull();
      expect((await authenticate(t.db.kysely, 'reader', 'willow-garnet-pepper-19'))?.id).toBe(reader.id);
      expect(await t.db.kysely.selectFrom('user_session').selectAll().where('user_id', '=', reader.id).execute()).toEqual([]);
      expect(users(['passwd', 'nobody', '--password-stdin'], `${PASSWORD}\n`).stderr).toBe('openrem users: there is no user named "nobody"; see openrem users list\n');
      expect(users(['passwd', 'reader', '--password-stdin'], 'reader-12345\n').stderr).toBe('openrem users: password must not contain your user name or name\n');
    });

    it('deactivates a user (signed out, cannot sign in) and activates them again', async () => {
      const physicist = (await findUserByName(t.db.kysely, 'physicist'))!;
      await createSession(t.db.kysely, physicist.id);
      const r = users(['deactivate', 'physicist']);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('physicist deactivated and signed out\n');
      expect(await authenticate(t.db.kysely, 'physicist', PASSWORD)).toBeNull();
      expect(await t.db.kysely.selectFrom('user_session').selectAll().where('user_id', '=', physicist.id).execute()).toEqual([]);
      expect(users(['list']).stdout).toMatch(/^physicist\s+deactivated\s+view,export,pid/m);
      expect(users(['deactivate', 'physicist']).stdout).toBe('physicist is already deactivated\n');
      expect(users(['activate', 'physicist']).stdout).toBe('physicist activated\n');
      expect((await authenticate(t.db.kysely, 'physicist', PASSWORD))?.id).toBe(physicist.id);
      expect((await readAudit(t.db.kysely, { action: 'user.deactivate' }))[0]).toMatchObject({ actor: 'command line', target: 'user physicist' });
    });
  });
}

/** Runs the command on a pseudo-terminal (util-linux `script`), typing `answers` after each prompt that appears. */
function onTerminal(args: string[], env: Record<string, string>, answers: [prompt: string, typed: string][]): Promise<{ transcript: string; status: number | null }> {
  const command = [process.execPath, join(PROJECT_ROOT, 'bin', 'openrem.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env } });
  let transcript = '';
  let answered = 0;
  let seen = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no exit; transcript so far: ${JSON.stringify(transcript)}`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      transcript += chunk.toString('utf8');
      const next = answers[answered];
      const at = next ? transcript.indexOf(next[0], seen) : -1;
      if (next && at >= 0) {
        seen = at + next[0].length;
        answered++;
        child.stdin.write(`${next[1]}\r`);
      }
    });
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ transcript, status });
    });
  });
}

describe('openrem users on a terminal', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('sqlite');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('asks twice for the password without showing it, and again when the two differ or the password is weak', async () => {
    const { transcript, status } = await onTerminal(['users', 'create', 'console-admin', '--admin'], t.env, [
      ['Password: ', 'letmein2024'],
      ['Password: ', 'maple-river-stone-42'],
      ['Password (again): ', 'maple-river-stone-43'],
      ['Password: ', 'maple-river-stone-42'],
      ['Password (again): ', 'maple-river-stone-42'],
    ]);
    expect(status).toBe(0);
    expect(transcript).toContain('That password is a common password (adding digits or symbols does not make it safe). Try again.');
    expect(transcript).toContain('The two passwords differ. Try again.');
    expect(transcript).toContain('created user console-admin: superuser (every role)');
    // Nothing typed was echoed.
    expect(transcript).not.toContain('maple-river');
    expect(transcript).not.toContain('letmein');
    expect((await authenticate(t.db.kysely, 'console-admin', 'maple-river-stone-42'))?.isSuperuser).toBe(true);
  });
});
