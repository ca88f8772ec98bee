// Databases for tests: every DB test runs on each engine in ENGINES, each test file in a
// fresh SQLite folder or a fresh PostgreSQL schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/connect.js';
import type { Engine } from '../../src/db/engine.js';

export const PG_URL = process.env.OPENREM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Engines under test: both unless OPENREM_TEST_ENGINES narrows it (the summary says so). */
export const ENGINES: Engine[] = (process.env.OPENREM_TEST_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()) as Engine[];

export interface TestDb {
  db: Db;
  dataDir: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

let counter = 0;

export async function createTestDb(engine: Engine): Promise<TestDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openrem-test-'));
  if (engine === 'sqlite') {
    const db = await openDatabase({ dataDir });
    return {
      db,
      dataDir,
      env: { OPENREM_DATA_DIR: dataDir },
      async cleanup() {
        await db.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const db = await openDatabase({ dataDir, databaseUrl: PG_URL, pgSchema: schema });
  return {
    db,
    dataDir,
    env: { OPENREM_DATA_DIR: dataDir, DATABASE_URL: PG_URL, OPENREM_PG_SCHEMA: schema },
    async cleanup() {
      await db.close();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes every study and system: each test of a file sharing one database starts empty. */
export async function removeAllStudies(db: Db): Promise<void> {
  for (const table of ['object_uid', 'ct_event', 'proj_event', 'study', 'equipment'] as const) await db.kysely.deleteFrom(table).execute();
}
