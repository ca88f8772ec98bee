// Opening the configured database for a command, with errors a user can act on.
import { configFromEnv, type AppConfig } from '../config.js';
import { openDatabase, type Db } from '../db/connect.js';

export async function withDatabase<T>(fn: (db: Db, config: AppConfig) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  let db: Db;
  try {
    db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, pgSchema: config.pgSchema });
  } catch (err) {
    const where = config.databaseUrl ? 'the PostgreSQL database named by DATABASE_URL' : `the embedded database in ${config.dataDir}`;
    throw new Error(`cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return await fn(db, config);
  } finally {
    await db.close();
  }
}
