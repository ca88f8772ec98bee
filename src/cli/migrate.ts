import { migrate } from '../db/connect.js';
import { withDatabase } from './context.js';

export async function runMigrate(_args: string[]): Promise<number> {
  return withDatabase(async (db) => {
    // Opening the database already applied pending migrations; a second pass reports nothing new.
    const applied = await migrate(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `database (${db.engine}) is up to date`);
    return 0;
  });
}
