// Imports on PostgreSQL lock each study they write until their group commits. Two importers
// whose groups hold studies the other wants deadlock; PostgreSQL ends one of the two, and that
// group is ended as a whole (its locks released) to be stored again file by file, instead of
// its file failing and going to the quarantine. SQLite has one writer at a time: no deadlock.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inOneTransaction, TransactionLostError, writeTransaction } from '../../src/db/connect.js';
import { createTestDb, ENGINES, PG_URL, type TestDb } from '../helpers/db.js';

describe.runIf(ENGINES.includes('postgres'))('a group of writes in a deadlock (postgres)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('postgres');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('is ended whole with TransactionLostError, its locks released', async () => {
    // Advisory locks are shared by every schema: keys of this test only.
    const first = `first-${randomUUID()}`;
    const second = `second-${randomUUID()}`;
    const other = new pg.Client({ connectionString: PG_URL });
    await other.connect();
    try {
      // The other writer waits long before looking for deadlocks, so this group is the one ended.
      await other.query("set deadlock_timeout = '30s'");
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock(hashtext($1))', [second]);
      let holdsFirst!: () => void;
      const firstHeld = new Promise<void>((resolve) => (holdsFirst = resolve));
      const group = inOneTransaction(t.db, async (inside) => {
        await writeTransaction(inside, first, async () => undefined);
        holdsFirst();
        await writeTransaction(inside, second, async () => undefined);
      });
      group.catch(() => undefined);
      await firstHeld;
      const otherWaits = other.query('select pg_advisory_xact_lock(hashtext($1))', [first]);
      await expect(group).rejects.toBeInstanceOf(TransactionLostError);
      await expect(group).rejects.toThrow(/conflicted with another writer: deadlock detected/);
      // Released: the other writer gets the lock it waited for.
      await otherWaits;
      await other.query('rollback');
    } finally {
      await other.end();
    }
  });
});
