// The `openrem` command: one entry point, one subcommand per job. Subcommands load lazily so
// `openrem import` does not pay for the web server's start-up.
import { readFileSync } from 'node:fs';
import { OutputClosedError } from './output.js';

export const USAGE_ERROR = 2;

interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  import: {
    summary: 'import DICOM dose objects (files, directories, globs)',
    usage: 'openrem import [--json] PATH...   |   openrem import --retry-quarantine',
    run: async (args) => (await import('./import.js')).runImport(args),
  },
  extract: {
    summary: 'read dose objects without storing them; print their reports',
    usage: 'openrem extract --json PATH...',
    run: async (args) => (await import('./extract.js')).runExtract(args),
  },
  studies: {
    summary: 'print stored studies (JSON Lines, creation order)',
    usage: 'openrem studies --json',
    run: async (args) => (await import('./studies.js')).runStudies(args),
  },
  settings: {
    summary: 'load or show site settings (patient-ID policy, not-patient patterns, ...)',
    usage: 'openrem settings load FILE | openrem settings show',
    run: async (args) => (await import('./settings.js')).runSettings(args),
  },
  migrate: {
    summary: 'apply pending database migrations',
    usage: 'openrem migrate',
    run: async (args) => (await import('./migrate.js')).runMigrate(args),
  },
  users: {
    summary: 'create, list and deactivate users; set passwords',
    usage: [
      'openrem users create USERNAME [--admin] [--roles view,export,...] [--full-name NAME] [--email ADDRESS] [--password-stdin]',
      '       openrem users list [--json]',
      '       openrem users passwd USERNAME [--password-stdin]',
      '       openrem users deactivate USERNAME | openrem users activate USERNAME',
    ].join('\n'),
    run: async (args) => (await import('./users.js')).runUsers(args),
  },
  demo: {
    summary: 'build a database of made-up studies (in ./demo-data) and serve it, to look around',
    usage: 'openrem demo [--studies N] [--days N] [--seed N] [--data-dir DIR] [--no-serve] [--host HOST] [--port PORT]',
    run: async (args) => (await import('./demo.js')).runDemo(args),
  },
  serve: {
    summary: 'run the web interface on the database (and a task worker)',
    usage: 'openrem serve [--host HOST] [--port PORT] [--no-worker | --concurrency N]',
    run: async (args) => (await import('./serve.js')).runServe(args),
  },
  ptsize: {
    summary: 'add patient height and weight from a CSV file to stored studies',
    usage: [
      'openrem ptsize FILE ID_COLUMN HEIGHT_COLUMN WEIGHT_COLUMN [--si-uid|-u] [--overwrite] [--verbose|-v] [--height-unit auto|cm|m]',
      '  ID_COLUMN holds accession numbers (Study Instance UIDs with --si-uid); heights and weights that studies',
      '  already have are kept unless --overwrite. Heights: a value below 3 is in metres, else centimetres, unless',
      '  the value or the column name says which (e.g. "Height (cm)") or --height-unit does. Weights in kg.',
    ].join('\n'),
    run: async (args) => (await import('./ptsize.js')).runPtsize(args),
  },
  worker: {
    summary: 'run queued background tasks (exports, imports) until stopped',
    usage: 'openrem worker [--concurrency N]   (OPENREM_WORKERS: tasks at a time, default 1)',
    run: async (args) => (await import('./worker.js')).runWorker(args),
  },
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `openrem ${version()}: radiation exposure monitoring`,
    '',
    'Usage: openrem COMMAND [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Environment:',
    '  OPENREM_DATA_DIR  folder for the embedded database, media and logs (default ./data)',
    '  DATABASE_URL      postgres://user@host/db to use PostgreSQL instead',
    '  OPENREM_TRUST_PROXY  reverse proxy addresses whose X-Forwarded-For/-Proto headers serve believes',
    '',
    'Run "openrem COMMAND --help" for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : USAGE_ERROR;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`openrem: unknown command "${name}"\n\n${help()}`);
    return USAGE_ERROR;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof OutputClosedError) return 0;
    throw err;
  }
}
