import { allStudies } from '../db/report-store.js';
import { withDatabase } from './context.js';
import { atMost, parseArgs, usageFailure, UsageError } from './args.js';
import { writeLine } from './output.js';

export async function runStudies(args: string[]): Promise<number> {
  try {
    const { positional, options } = parseArgs(args, [], ['json']);
    atMost(positional, 0);
    if (!options.has('json')) throw new UsageError('--json is required (each study is printed as one line of JSON)');
  } catch (err) {
    if (err instanceof UsageError) return usageFailure('studies', err, 'openrem studies --json');
    throw err;
  }
  return withDatabase(async (db) => {
    for await (const s of allStudies(db.kysely)) await writeLine(JSON.stringify(s));
    return 0;
  });
}
