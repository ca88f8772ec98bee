// Several processes started at once on a new database (a server, a worker and an import on a
// new data folder) all apply the migrations: each must wait for the one that does and then find
// them applied, never fail on a table another has just created.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import type { Engine } from '../../src/db/engine.js';
import { migrationProvider } from '../../src/db/migrations.js';
import { openremAsync } from '../helpers/cli.js';
import { ENGINES, PG_URL } from '../helpers/db.js';

const PROCESSES = 5;
/** Each round is a new database; the race is lost often, not always, so several are tried. */
const ROUNDS = 3;

/** Starts PROCESSES `openrem migrate` at once (the built command: `npm run build` first). */
async function firstStarts(env: Record<string, string>): Promise<void> {
  const runs = await Promise.all(Array.from({ length: PROCESSES }, () => openremAsync(['migrate'], env)));
  for (const run of runs) {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  }
}

/** Every migration is recorded once as applied. */
async function expectMigrated(engine: Engine, env: Record<string, string>): Promise<void> {
  const db = await openDatabase({ dataDir: env.OPENREM_DATA_DIR!, databaseUrl: env.DATABASE_URL, pgSchema: env.OPENREM_PG_SCHEMA, migrate: false });
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(db.kysely);
    expect(applied.rows).toHaveLength(Object.keys(await migrationProvider(engine).getMigrations()).length);
  } finally {
    await db.close();
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openrem-first-start-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.runIf(ENGINES.includes('sqlite'))('first starts at once on a new data folder (sqlite)', () => {
  it('all succeed', { timeout: 120_000 }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const env = { OPENREM_DATA_DIR: newDataDir() };
      await firstStarts(env);
      await expectMigrated('sqlite', env);
    }
  });
});

describe.runIf(ENGINES.includes('postgres'))('first starts at once on a new database (postgres)', () => {
  const unique = () => `${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

  it('all succeed on a new database', { timeout: 120_000 }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `openrem_first_${unique()}`;
      await adminQuery(`create database ${name}`);
      cleanups.push(() => adminQuery(`drop database if exists ${name} with (force)`));
      const url = new URL(PG_URL);
      url.pathname = `/${name}`;
      const env = { OPENREM_DATA_DIR: newDataDir(), DATABASE_URL: url.toString() };
      await firstStarts(env);
      await expectMigrated('postgres', env);
    }
  });

  // In one process the opens overlap more closely than processes started together do.
  it('all succeed in a new schema, opened at once in one process', { timeout: 120_000 }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const schema = `first_${unique()}`;
      cleanups.push(() => adminQuery(`drop schema if exists ${schema} cascade`));
      const dataDir = newDataDir();
      const opened = await Promise.allSettled(Array.from({ length: 2 * PROCESSES }, () => openDatabase({ dataDir, databaseUrl: PG_URL, pgSchema: schema })));
      for (const o of opened) if (o.status === 'fulfilled') await o.value.close();
      expect(opened.filter((o) => o.status === 'rejected')).toEqual([]);
      await expectMigrated('postgres', { OPENREM_DATA_DIR: dataDir, DATABASE_URL: PG_URL, OPENREM_PG_SCHEMA: schema });
    }
  });

  it('all succeed in a new schema (OPENREM_PG_SCHEMA)', { timeout: 120_000 }, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const schema = `first_${unique()}`;
      cleanups.push(() => adminQuery(`drop schema if exists ${schema} cascade`));
      const env = { OPENREM_DATA_DIR: newDataDir(), DATABASE_URL: PG_URL, OPENREM_PG_SCHEMA: schema };
      await firstStarts(env);
      await expectMigrated('postgres', env);
    }
  });
});
