import { migrate } from '../db/connect.js';
import { atMost, parseArgs, usageFailure, UsageError } from './args.js';
import { withDatabase } from './context.js';

export async function runMigrate(args: string[]): Promise<number> {
  try {
    atMost(parseArgs(args, [], []).positional, 0);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure('migrate', err, 'openrem migrate');
    throw err;
  }
  return withDatabase(async (db) => {
    // Opening the database already applied pending migrations; a second pass reports nothing new.
    const applied = await migrate(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `database (${db.engine}) is up to date`);
    return 0;
  });
}
