// `openrem demo`: a populated system to look around in, in a minute. Builds made-up studies
// into an embedded database in a folder of its own (never the real one, never DATABASE_URL's)
// and serves it like `openrem serve`, on this machine only unless --host says otherwise: its
// sign-in is a superuser whose password is printed.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ROLES } from '../auth/roles.js';
import { createUser, findUserByName, setPassword } from '../auth/users.js';
import { openDatabase, type Db } from '../db/connect.js';
import { DEMO_SETTINGS, writeDemoStudies } from '../demo/build.js';
import { claimDemoFolder } from '../demo/folder.js';
import { saveSettings } from '../settings/store.js';
import { unexpectedArgument } from './args.js';
import { USAGE_ERROR } from './main.js';
import { Progress } from './progress.js';

const DEFAULT_STUDIES = 20_000;
const DEFAULT_DAYS = 730;
const DEMO_USER = 'demo';
/** The demo account's password is printed, so the demo is not offered to other machines unless asked. */
const DEMO_HOST = '127.0.0.1';

interface DemoArgs {
  studies: number | null;
  days: number;
  seed: number;
  dataDir: string;
  serve: boolean;
  /** Passed on to the server: --port, and --host (this machine only when not given). */
  serveArgs: string[];
}

class DemoUsageError extends Error {}

function wholeNumber(name: string, value: string | undefined, min: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) throw new DemoUsageError(`${name} needs a whole number of at least ${min}`);
  return Number(value);
}

export function parseDemoArgs(args: readonly string[]): DemoArgs {
  const out: DemoArgs = { studies: null, days: DEFAULT_DAYS, seed: 1, dataDir: resolve('demo-data'), serve: true, serveArgs: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const [name, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (name) {
      case '--studies':
        out.studies = wholeNumber(name, value(), 1);
        break;
      case '--days':
        out.days = wholeNumber(name, value(), 1);
        break;
      case '--seed':
        out.seed = wholeNumber(name, value(), 0);
        break;
      case '--data-dir': {
        const dir = value();
        if (!dir) throw new DemoUsageError('--data-dir needs a folder');
        out.dataDir = resolve(dir);
        break;
      }
      case '--serve':
        out.serve = true;
        break;
      case '--no-serve':
        out.serve = false;
        break;
      case '--host':
      case '--port': {
        const v = value();
        if (!v) throw new DemoUsageError(`${name} needs a value`);
        out.serveArgs.push(name, v);
        break;
      }
      default:
        throw new DemoUsageError(unexpectedArgument(arg));
    }
  }
  if (!out.serveArgs.includes('--host')) out.serveArgs.push('--host', DEMO_HOST);
  return out;
}

async function studyCount(db: Db): Promise<number> {
  const row = await db.kysely.selectFrom('study').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Builds `count` studies after the `from` already there, with a progress bar (or milestones when not on a terminal). */
async function build(db: Db, a: DemoArgs, from: number, count: number): Promise<void> {
  const progress = new Progress(count, 'studies');
  const started = Date.now();
  let milestone = 0;
  console.log(`Building ${count} made-up studies in ${a.dataDir} ...`);
  await writeDemoStudies(db, {
    from,
    count,
    seed: a.seed,
    today: new Date(),
    days: a.days,
    settings: DEMO_SETTINGS,
    onProgress: (written) => {
      while (progress.done < written) progress.tick();
      if (!process.stderr.isTTY && written * 10 >= (milestone + 1) * count) {
        milestone = Math.floor((written * 10) / count);
        console.log(`  ${written} of ${count} studies`);
      }
    },
  });
  progress.finish();
  console.log(`Built ${count} studies in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** The demo's sign-in: user "demo" with every role, and a new password each start (printed). */
async function demoUser(db: Db): Promise<string> {
  const password = randomBytes(12).toString('base64url');
  const existing = await findUserByName(db.kysely, DEMO_USER);
  if (existing) await setPassword(db.kysely, existing, password);
  else await createUser(db.kysely, { username: DEMO_USER, password, fullName: 'Demo user', roles: ROLES });
  return password;
}

export async function runDemo(args: string[]): Promise<number> {
  let a: DemoArgs;
  try {
    a = parseDemoArgs(args);
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    console.error(`openrem demo: ${err.message} (see openrem demo --help)`);
    return USAGE_ERROR;
  }
  // Made-up studies must never reach a real database: only a folder the demo made holds them.
  const folder = claimDemoFolder(a.dataDir);
  if (!folder.ok) {
    console.error(`openrem demo: ${folder.reason}.`);
    return USAGE_ERROR;
  }
  if (process.env.DATABASE_URL?.trim()) console.log(`DATABASE_URL is not used: the demo keeps its made-up studies in its own embedded database in ${a.dataDir}.`);
  const db = await openDatabase({ dataDir: a.dataDir });
  let password: string;
  try {
    const existing = await studyCount(db);
    if (existing === 0) await saveSettings(db.kysely, DEMO_SETTINGS);
    const wanted = a.studies ?? (existing === 0 ? DEFAULT_STUDIES : 0);
    if (wanted > 0) await build(db, a, existing, wanted);
    else console.log(`Using the ${existing} studies already in ${a.dataDir} (add more with --studies N).`);
    password = await demoUser(db);
  } finally {
    await db.close();
  }
  if (!a.serve) {
    console.log(`Serve it with: openrem demo --data-dir ${a.dataDir}`);
    return 0;
  }
  console.log(`Sign in as "${DEMO_USER}" with password ${password} (a new one each start).`);
  if (a.serveArgs[a.serveArgs.indexOf('--host') + 1] === DEMO_HOST) console.log('Only this machine can open it; --host 0.0.0.0 offers it to other machines too.');
  process.env.OPENREM_DATA_DIR = a.dataDir;
  delete process.env.DATABASE_URL;
  delete process.env.OPENREM_PG_SCHEMA;
  return (await import('./serve.js')).runServe(a.serveArgs);
}
