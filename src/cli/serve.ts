import { buildApp } from '../web/app.js';
import { countUsers } from '../auth/users.js';
import { isWildcardHost, listen, ListenError, parseServeArgs, ServeUsageError, urlsFor, type ListenOptions } from '../web/server.js';
import { withDatabase } from './context.js';
import { offerFirstAdministrator } from './users.js';
import { USAGE_ERROR, version } from './main.js';
import { startWorker, takeWorkerOptions, waitForStop, WorkerUsageError, type WorkerSettings } from './worker.js';

export async function runServe(args: string[]): Promise<number> {
  let opts: ListenOptions;
  let workerSettings: WorkerSettings | null;
  try {
    const taken = takeWorkerOptions(args);
    workerSettings = taken.worker;
    opts = parseServeArgs(taken.rest);
  } catch (err) {
    if (!(err instanceof ServeUsageError) && !(err instanceof WorkerUsageError)) throw err;
    console.error(`openrem serve: ${err.message}`);
    console.error('Usage: openrem serve [--host HOST] [--port PORT] [--no-worker | --concurrency N]');
    return USAGE_ERROR;
  }
  return withDatabase(async (db, config) => {
    if ((await countUsers(db.kysely)) === 0) await offerFirstAdministrator(db);
    const app = await buildApp({ db, config });
    let url: string;
    try {
      url = await listen(app, opts);
    } catch (err) {
      await app.close();
      if (!(err instanceof ListenError)) throw err;
      console.error(`openrem serve: ${err.message}`);
      return 1;
    }
    const worker = workerSettings ? await startWorker(db, config, workerSettings) : null;
    const others = isWildcardHost(opts.host) ? urlsFor(opts.host, Number(new URL(url).port)).filter((u) => u !== url) : [];
    const all = isWildcardHost(opts.host) ? ` (all network interfaces${others.length ? `; also ${others.join(' ')}` : ''})` : '';
    const tasks = worker ? `tasks run here, ${worker.worker.concurrency} at a time` : 'tasks run by openrem worker';
    // Listening for Ctrl+C before saying so: a stop sent on seeing the line is handled.
    const stopped = waitForStop();
    console.log(`OpenREM ${version()} web interface: ${url}${all}, ${db.engine} database, ${tasks}; logs in ${config.dataDir}/logs. Press Ctrl+C to stop.`);
    if ((await countUsers(db.kysely)) === 0) console.log('No user accounts yet: create the first administrator with "openrem users create NAME --admin", then sign in.');
    const signal = await stopped;
    console.log(`${signal}: stopping`);
    await worker?.stop(`the server was stopped (${signal})`);
    await app.close();
    return 0;
  });
}
