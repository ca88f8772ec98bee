// PostgreSQL ending an idle connection of the pool (a restart, a failover, an idle timeout)
// must not end the process: the connection is dropped and the next query opens a new one.
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, ENGINES, PG_URL, type TestDb } from '../helpers/db.js';

describe.runIf(ENGINES.includes('postgres'))('an idle connection ended by the server (postgres)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('postgres');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('is dropped, and the next query runs on a new one', async () => {
    const pidOf = async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(t.db.kysely)).rows[0]!.pid;
    const idle = await pidOf();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [idle]);
    } finally {
      await admin.end();
    }
    // Time for the ended connection's error to reach the pool.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = await pidOf();
    expect(next).not.toBe(idle);
    expect(Number((await t.db.kysely.selectFrom('study').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
  });
});
