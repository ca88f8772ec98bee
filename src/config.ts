// Process configuration from the environment: where data lives and which database to use.
import { resolve } from 'node:path';

export interface AppConfig {
  /** Embedded database, media (exports, quarantine) and logs live here. */
  dataDir: string;
  /** postgres://… to use PostgreSQL instead of the embedded database. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema (lets tests and several sites share one server). */
  pgSchema: string | undefined;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const url = env.DATABASE_URL?.trim();
  if (url && !/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must start with postgres:// (got "${url.split('@').pop()}"); unset it to use the embedded database`);
  }
  return {
    dataDir: resolve(env.OPENREM_DATA_DIR?.trim() || 'data'),
    databaseUrl: url || undefined,
    pgSchema: env.OPENREM_PG_SCHEMA?.trim() || undefined,
  };
}
