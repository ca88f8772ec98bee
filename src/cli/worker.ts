// `openrem worker`: runs queued background tasks until stopped. Any number may run, on any
// machine sharing the PostgreSQL database; `openrem serve` runs one in-process unless told
// `--no-worker`. The worker options are read here for both commands.
import type { AppConfig } from '../config.js';
import type { Db } from '../db/connect.js';
import { openLog } from '../log.js';
import type { TaskRegistry } from '../tasks/kind.js';
import { productTaskKinds } from '../tasks/kinds.js';
import { DEFAULT_RETENTION, type Retention } from '../tasks/prune.js';
import { TaskWorker } from '../tasks/worker.js';
import { unexpectedArgument } from './args.js';
import { withDatabase } from './context.js';
import { USAGE_ERROR, version } from './main.js';

export const WORKER_USAGE = 'openrem worker [--concurrency N]';

const MAX_CONCURRENCY = 64;

export class WorkerUsageError extends Error {}

export interface WorkerSettings {
  concurrency: number;
  retention: Retention;
}

function parseCount(text: string, source: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new WorkerUsageError(`${source} must be a whole number from ${min} to ${max} (got "${text}")`);
  return Number(text);
}

/**
 * Takes the worker options out of a command line: `--concurrency N` (else OPENREM_WORKERS,
 * else 1) and `--no-worker` (worker then null); the rest is left for the command. History
 * kept: OPENREM_TASK_KEEP_DAYS and OPENREM_TASK_KEEP_ROWS.
 */
export function takeWorkerOptions(args: readonly string[], env: NodeJS.ProcessEnv = process.env): { worker: WorkerSettings | null; rest: string[] } {
  const fromEnv = (name: string, fallback: number, min: number, max: number) => {
    const text = env[name]?.trim();
    return text ? parseCount(text, name, min, max) : fallback;
  };
  let concurrency = fromEnv('OPENREM_WORKERS', 1, 1, MAX_CONCURRENCY);
  const retention: Retention = {
    days: fromEnv('OPENREM_TASK_KEEP_DAYS', DEFAULT_RETENTION.days, 0, 36_500),
    rows: fromEnv('OPENREM_TASK_KEEP_ROWS', DEFAULT_RETENTION.rows, 0, 10_000_000),
  };
  let enabled = true;
  let concurrencyGiven = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--no-worker') enabled = false;
    else if (arg === '--concurrency' || arg.startsWith('--concurrency=')) {
      concurrencyGiven = true;
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (value === undefined || value === '') throw new WorkerUsageError('--concurrency needs a value');
      concurrency = parseCount(value, '--concurrency', 1, MAX_CONCURRENCY);
    } else rest.push(arg);
  }
  // Both at once is a contradiction: which one was meant cannot be known.
  if (!enabled && concurrencyGiven) throw new WorkerUsageError('--no-worker and --concurrency exclude each other: tasks run here, or by openrem worker');
  return { worker: enabled ? { concurrency, retention } : null, rest };
}

export interface RunningWorker {
  worker: TaskWorker;
  /** Stops it (running tasks are finished or released) and closes its log. */
  stop(cause: string): Promise<void>;
}

/** Starts a worker on an open database, logging to the data folder's general log. */
export async function startWorker(db: Db, config: AppConfig, settings: WorkerSettings, kinds: TaskRegistry = productTaskKinds): Promise<RunningWorker> {
  const log = openLog(config.dataDir, 'openrem', 'worker');
  const worker = new TaskWorker({ db, dataDir: config.dataDir, kinds, log: log.logger, concurrency: settings.concurrency, retention: settings.retention });
  try {
    await worker.start();
  } catch (err) {
    log.close();
    throw err;
  }
  return {
    worker,
    async stop(cause) {
      try {
        await worker.stop(cause);
      } finally {
        log.close();
      }
    },
  };
}

/** Resolves with the first SIGINT or SIGTERM; a second one ends the process the default way. */
export function waitForStop(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function runWorker(args: string[]): Promise<number> {
  let options: ReturnType<typeof takeWorkerOptions>;
  try {
    options = takeWorkerOptions(args);
    if (options.rest.length) throw new WorkerUsageError(unexpectedArgument(options.rest[0]!));
    if (!options.worker) throw new WorkerUsageError('--no-worker is an option of openrem serve');
  } catch (err) {
    if (!(err instanceof WorkerUsageError)) throw err;
    console.error(`openrem worker: ${err.message}`);
    console.error(`Usage: ${WORKER_USAGE}`);
    return USAGE_ERROR;
  }
  const settings = options.worker;
  return withDatabase(async (db, config) => {
    const running = await startWorker(db, config, settings);
    const kinds = productTaskKinds.names();
    // Listening for Ctrl+C before saying so: a stop sent on seeing the line is handled.
    const stopped = waitForStop();
    console.log(
      `OpenREM ${version()} task worker: up to ${settings.concurrency} task${settings.concurrency > 1 ? 's' : ''} at a time ` +
        `(${kinds.length ? kinds.join(', ') : 'no task kinds'}), ${db.engine} database; logs in ${config.dataDir}/logs. Press Ctrl+C to stop.`,
    );
    const signal = await stopped;
    console.log(`${signal}: stopping; running tasks are finished or queued again`);
    await running.stop(`the worker was stopped (${signal})`);
    return 0;
  });
}
