// PostgreSQL databases kept in their own schema (as every test and a shared server do) must
// get their own tables even when another schema of the same database is migrated already.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb, ENGINES } from '../helpers/db.js';

describe.runIf(ENGINES.includes('postgres'))('PostgreSQL schemas', () => {
  it('migrates a new schema although another one holds migrated tables', async () => {
    const first = await createTestDb('postgres');
    const second = await createTestDb('postgres');
    try {
      const schemas = [first.env.OPENREM_PG_SCHEMA!, second.env.OPENREM_PG_SCHEMA!];
      const tables = await sql<{ table_schema: string }>`select table_schema from information_schema.tables where table_name = 'study' and table_schema in (${sql.join(schemas)})`.execute(second.db.kysely);
      expect(tables.rows.map((r) => r.table_schema).sort()).toEqual([...schemas].sort());
      // Every pooled connection, the one that created the schema included, works in it.
      const counts = await Promise.all(Array.from({ length: 4 }, () => second.db.kysely.selectFrom('study').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()));
      expect(counts.map((c) => Number(c.n))).toEqual([0, 0, 0, 0]);
    } finally {
      await second.cleanup();
      await first.cleanup();
    }
  });
});
