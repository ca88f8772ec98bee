import { buildApp } from '../web/app.js';
import { listen, ListenError, parseServeArgs, ServeUsageError, type ListenOptions } from '../web/server.js';
import { withDatabase } from './context.js';
import { USAGE_ERROR, version } from './main.js';

function waitForStop(): Promise<NodeJS.Signals> {
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

export async function runServe(args: string[]): Promise<number> {
  let opts: ListenOptions;
  try {
    opts = parseServeArgs(args);
  } catch (err) {
    if (!(err instanceof ServeUsageError)) throw err;
    console.error(`openrem serve: ${err.message}`);
    console.error('Usage: openrem serve [--host HOST] [--port PORT]');
    return USAGE_ERROR;
  }
  return withDatabase(async (db, config) => {
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
    const all = opts.host === '0.0.0.0' || opts.host === '::' ? ' (all network interfaces)' : '';
    console.log(`OpenREM ${version()} web interface: ${url}${all}, ${db.engine} database; logs in ${config.dataDir}/logs. Press Ctrl+C to stop.`);
    const signal = await waitForStop();
    console.log(`${signal}: stopping`);
    await app.close();
    return 0;
  });
}
