// Opens the database: embedded SQLite under the data folder unless DATABASE_URL names
// PostgreSQL. Applies pending migrations before handing the connection out.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type MigrationResultSet, type Transaction } from 'kysely';
import type { Pool } from 'pg';
import type { Engine } from './engine.js';
import { migrationProvider } from './migrations.js';
import { sqlLower } from '../query/text-case.js';
import type { Database } from './schema.js';

export interface Db {
  kysely: Kysely<Database>;
  engine: Engine;
  /** PostgreSQL schema in use, when not the default one. */
  pgSchema?: string | undefined;
  /** Set inside inOneTransaction: writes go into its open transaction, each under a savepoint. */
  inTransaction?: boolean;
  close(): Promise<void>;
}

/**
 * The open transaction of inOneTransaction was ended by the database itself (SQLite rolls a
 * whole transaction back on some errors, such as a full disk), or must be ended: PostgreSQL
 * chose it to break a deadlock with another writer, which waits for the locks it holds.
 * Nothing written in it stays; its work is to be done again in shorter transactions.
 */
export class TransactionLostError extends Error {}

/** PostgreSQL's deadlock_detected and serialization_failure: retrying later succeeds. */
const CONFLICT_CODES = new Set(['40P01', '40001']);

function isConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && CONFLICT_CODES.has(String((err as { code?: unknown }).code));
}

export interface OpenOptions {
  /** Folder for the embedded database (and media); used when databaseUrl is not set. */
  dataDir: string;
  /** postgres://… selects PostgreSQL. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema to use (tests isolate themselves in their own schema). */
  pgSchema?: string | undefined;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl, opts.pgSchema) : await openSqlite(opts.dataDir);
  if (opts.migrate !== false) await migrate(db);
  return db;
}

/** How long a write waits for another process's (an import beside the server). */
const BUSY_TIMEOUT_MS = 30_000;

async function openSqlite(dataDir: string): Promise<Db> {
  const { default: SQLite } = await import('better-sqlite3');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'openrem.sqlite3');
  const native = new SQLite(file);
  native.pragma('journal_mode = WAL');
  native.pragma('synchronous = NORMAL');
  native.pragma('foreign_keys = ON');
  native.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  registerSqliteAggregates(native);
  keepPlannerStatistics(native);
  const refresh = setInterval(() => optimize(native), STATISTICS_REFRESH_MS);
  refresh.unref();
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(native) }) });
  return {
    kysely,
    engine: 'sqlite',
    close: async () => {
      clearInterval(refresh);
      optimize(native);
      await kysely.destroy();
    },
  };
}

const STATISTICS_REFRESH_MS = 6 * 60 * 60 * 1000;

/**
 * PostgreSQL keeps its planner statistics up to date by itself; SQLite only when asked. Without
 * them, a list of a million studies may be read through the wrong one of the study table's
 * indexes. ANALYZE samples at most about this many rows per index, so it stays quick whatever
 * the size; it runs at open for tables that need it, every few hours, and at close.
 */
function keepPlannerStatistics(native: import('better-sqlite3').Database): void {
  native.pragma('analysis_limit = 1000');
  optimize(native, 'optimize = 0x10002');
}

function optimize(native: import('better-sqlite3').Database, pragma = 'optimize'): void {
  // Inside an open transaction (a group of imports) the statistics would share its fate.
  if (!native.open || native.inTransaction) return;
  // Never waits for another process's write: statistics are refreshed next time instead.
  native.pragma('busy_timeout = 0');
  try {
    native.pragma(pragma);
  } catch {
    // Statistics are an optimisation: a busy or read-only database is used without fresh ones.
  } finally {
    native.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * Kysely prepares every query anew; imports and list pages run the same few statements
 * thousands of times, so prepared statements are kept by their SQL text.
 */
function withStatementCache(native: import('better-sqlite3').Database): import('better-sqlite3').Database {
  const cache = new Map<string, import('better-sqlite3').Statement>();
  const prepare = native.prepare.bind(native);
  return new Proxy(native, {
    get(target, prop) {
      if (prop !== 'prepare') {
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * SQLite lacks median; register one so every engine answers the same chart queries. Its
 * lower() only folds ASCII: replaced so case-insensitive filters agree with PostgreSQL's.
 */
function registerSqliteAggregates(native: import('better-sqlite3').Database): void {
  native.function('lower', { deterministic: true }, sqlLower);
  native.aggregate('median', {
    start: () => [] as number[],
    step: (values: number[], v: unknown) => {
      if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
      return values;
    },
    result: (values: number[]) => {
      if (values.length === 0) return null;
      values.sort((a, b) => a - b);
      const mid = values.length >> 1;
      return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
    },
  });
}

async function openPostgres(url: string, schema: string | undefined): Promise<Db> {
  const pg = await import('pg');
  // COUNT(*) is int8 and AVG is numeric: both fit a JS number for our magnitudes.
  pg.default.types.setTypeParser(20, (v: string) => Number(v));
  pg.default.types.setTypeParser(1700, (v: string) => Number(v));
  const pool = new pg.default.Pool({ connectionString: url, max: 10 });
  // An idle connection the server ends (a restart, a failover, an idle timeout) is dropped from
  // the pool, which opens a new one when next asked; without a listener the process would exit.
  pool.on('error', (err) => {
    process.emitWarning(`PostgreSQL ended an idle connection: ${err.message}; a new one is opened when needed`);
  });
  if (schema) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
    // Before the first connection: that one goes back to the pool and must use the schema too.
    pool.on('connect', (client) => {
      client.query(`set search_path to ${schema}`).catch(() => undefined);
    });
  }
  // Reached before anything else, so a wrong address, database or role is named as such and
  // not as a failed migration.
  const probe = new pg.default.Client({ connectionString: url });
  try {
    await probe.connect();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot connect: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await probe.end().catch(() => undefined);
  }
  if (schema) await createSchema(pool, schema);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, engine: 'postgres', pgSchema: schema, close: () => kysely.destroy() };
}

/**
 * `if not exists` does not keep two first starts (a server and an import) from both creating
 * the schema: the one that loses fails on the catalogue's unique index, and finds it made.
 */
async function createSchema(pool: Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`create schema if not exists ${schema}`);
  } catch (err) {
    const made = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (!made.rowCount) throw err;
  } finally {
    client.release();
  }
}

/** On PostgreSQL, Kysely's migrator holds an advisory lock: concurrent first starts take turns. */
export async function migrate(db: Db): Promise<string[]> {
  const { error, results } = db.engine === 'sqlite' ? await migrateSqlite(db) : await migrator(db.kysely, db).migrateToLatest();
  if (error) throw migrationFailed(error);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function migrator(kysely: Kysely<Database>, db: Db): Migrator {
  // The migrator looks for its bookkeeping tables in every schema: named, it cannot take
  // another schema's for its own.
  const schema = db.pgSchema ? { migrationTableSchema: db.pgSchema } : {};
  return new Migrator({ db: kysely, provider: migrationProvider(db.engine), ...schema });
}

function migrationFailed(error: unknown): Error {
  return new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Processes started together on a new data folder (a server and an import) all migrate. On
 * SQLite, Kysely's migrator uses no transaction and its migration lock does nothing, so each
 * would read that nothing has run yet and create the same tables. Here the whole migration is
 * one transaction holding the write lock from its start (BEGIN IMMEDIATE): the others wait
 * (busy timeout) and then find every migration done. A failed migration leaves nothing.
 */
async function migrateSqlite(db: Db): Promise<MigrationResultSet> {
  // Every later start finds nothing to do: it reads, without waiting for an import's write lock.
  const unlocked = migrator(db.kysely, db);
  if ((await unlocked.getMigrations()).every((m) => m.executedAt)) return unlocked.migrateToLatest();
  return writeTransaction(db, null, async (q) => {
    const result = await migrator(q, db).migrateToLatest();
    // Thrown to roll back what the failed migration and those before it did.
    if (result.error) throw migrationFailed(result.error);
    return result;
  });
}

/**
 * Runs `fn` in a write transaction. SQLite takes the write lock up front (BEGIN IMMEDIATE) so
 * a CLI import and the server never deadlock upgrading read locks; PostgreSQL serialises
 * writers of the same study with an advisory lock on `lockKey`.
 */
export async function writeTransaction<T>(db: Db, lockKey: string | null, fn: (trx: Kysely<Database> | Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.inTransaction) return underSavepoint(db, lockKey, fn);
  if (db.engine === 'sqlite') {
    return db.kysely.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        // SQLite ends the transaction itself on some errors (a full disk): the reason is `err`.
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
  }
  return db.kysely.transaction().execute(async (trx) => {
    if (lockKey) await sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`.execute(trx);
    return fn(trx);
  });
}

/** One write inside an open transaction: undone alone when it fails. */
async function underSavepoint<T>(db: Db, lockKey: string | null, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  const q = db.kysely;
  await sql`savepoint write_step`.execute(q);
  try {
    if (lockKey && db.engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`.execute(q);
    const result = await fn(q);
    await sql`release savepoint write_step`.execute(q);
    return result;
  } catch (err) {
    try {
      await sql`rollback to savepoint write_step`.execute(q);
      await sql`release savepoint write_step`.execute(q);
    } catch (lost) {
      throw new TransactionLostError(`the transaction was ended by the database: ${lost instanceof Error ? lost.message : String(lost)} (after: ${err instanceof Error ? err.message : String(err)})`);
    }
    if (isConflict(err)) throw new TransactionLostError(`the transaction conflicted with another writer: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

/**
 * Runs `fn` with a Db whose writeTransaction calls share one transaction, committed when `fn`
 * returns: a commit costs about as much as a small import, so bulk work commits in groups.
 * Each write is still all-or-nothing on its own (a savepoint); a failed commit, or a
 * transaction the database ended, throws and keeps nothing. The connection is held
 * throughout (on SQLite, the only one), so callers keep `fn` short.
 */
export async function inOneTransaction<T>(db: Db, fn: (inside: Db) => Promise<T>): Promise<T> {
  if (db.inTransaction) return fn(db);
  const inside = (kysely: Kysely<Database>): Db => ({
    kysely,
    engine: db.engine,
    pgSchema: db.pgSchema,
    inTransaction: true,
    close: () => Promise.reject(new Error('a connection lent to a transaction is not closed by its user')),
  });
  if (db.engine === 'sqlite') {
    return db.kysely.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(inside(conn));
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        // Already gone when SQLite ended it itself.
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
  }
  return db.kysely.transaction().execute((trx) => fn(inside(trx)));
}
