import { allStudies } from '../db/report-store.js';
import { withDatabase } from './context.js';
import { USAGE_ERROR } from './main.js';
import { writeLine } from './output.js';

export async function runStudies(args: string[]): Promise<number> {
  if (!args.includes('--json')) {
    console.error('Usage: openrem studies --json');
    return USAGE_ERROR;
  }
  return withDatabase(async (db) => {
    for await (const s of allStudies(db.kysely)) await writeLine(JSON.stringify(s));
    return 0;
  });
}
