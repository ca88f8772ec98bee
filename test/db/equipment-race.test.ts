// Two importers that meet a never-seen unit at the same time both look for its equipment row,
// find none, and create it. The second must get the first one's row, never a unique violation
// (which on PostgreSQL would also abort its whole group of imports and quarantine the file).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inOneTransaction, openDatabase, writeTransaction, type Db } from '../../src/db/connect.js';
import { findOrCreateEquipment } from '../../src/ingest/equipment.js';
import type { EquipmentInfo } from '../../src/report/types.js';
import { openremAsync } from '../helpers/cli.js';
import { corpusBytesReplaced } from '../helpers/corpus.js';
import { createTestDb, ENGINES, PG_URL, type TestDb } from '../helpers/db.js';

const SCANNER: EquipmentInfo = { manufacturer: 'Race', modelName: 'Twin', stationName: 'CT9', deviceSerialNumber: 'R-1', institutionName: 'Hospital' };

/** A second connection to the test's database, as another importer process has. */
function openOther(t: TestDb): Promise<Db> {
  return openDatabase({ dataDir: t.dataDir, databaseUrl: PG_URL, pgSchema: t.env.OPENREM_PG_SCHEMA });
}

/** Resolves once some PostgreSQL backend waits for the one with `pid` (for its row lock). */
async function someoneWaitsFor(pid: number): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (let tries = 0; tries < 500; tries++) {
      const r = await client.query('select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [pid]);
      if (r.rowCount) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`nobody waited for backend ${pid}`);
  } finally {
    await client.end();
  }
}

const SOURCE = 'CT-RDSR-Siemens_Flash-TAP-SS.dcm';
const UID_ROOT = '1.3.6.1.4.1.5962.99.1.2662687737.2058515598.1471541535737';

/** Copies of one CT dose report with new instance UIDs of the same length: each a new study. */
function writeCopies(dir: string, from: number, count: number): void {
  mkdirSync(dir, { recursive: true });
  for (let n = from; n < from + count; n++) {
    const root = UID_ROOT.slice(0, -7) + String(n).padStart(7, '0');
    writeFileSync(join(dir, `copy-${n}.dcm`), corpusBytesReplaced(SOURCE, { [UID_ROOT]: root }));
  }
}

// SQLite has one writer at a time, whose look-up and insert no other can come between; on
// PostgreSQL the second importer's look-up runs while the first one's new row is uncommitted.
describe.runIf(ENGINES.includes('postgres'))('equipment created by two importers at once (postgres)', () => {
  let t: TestDb;
  let other: Db;
  beforeEach(async () => {
    t = await createTestDb('postgres');
    other = await openOther(t);
  });
  afterEach(async () => {
    await other?.close();
    await t?.cleanup();
  });

  it('gives the second importer the row the first one created', async () => {
    const now = new Date().toISOString();
    let commitFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (commitFirst = resolve));
    let firstCreated!: (pid: number) => void;
    const created = new Promise<number>((resolve) => (firstCreated = resolve));
    // The first importer creates the row inside its group of imports, not yet committed.
    const first = inOneTransaction(t.db, (inside) =>
      writeTransaction(inside, 'race-study-1', async (q) => {
        const row = await findOrCreateEquipment(q, SCANNER, now);
        const { pid } = await q.selectNoFrom((eb) => eb.fn<number>('pg_backend_pid').as('pid')).executeTakeFirstOrThrow();
        firstCreated(pid);
        await firstMayCommit;
        return row;
      }),
    );
    const pid = await created;
    // The second looks for the row (not there yet for it) and inserts: it waits for the first.
    const second = writeTransaction(other, 'race-study-2', (q) => findOrCreateEquipment(q, SCANNER, now));
    second.catch(() => undefined);
    await someoneWaitsFor(pid);
    commitFirst();
    const [a, b] = await Promise.all([first, second]);
    expect(b.id).toBe(a.id);
    expect(b.display_name).toBe(a.display_name);
    expect(await t.db.kysely.selectFrom('equipment').select('id').execute()).toEqual([{ id: a.id }]);
  });
});

describe.each(ENGINES)('two `openrem import` runs of one new unit started together (%s)', (engine) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(engine);
  });
  afterEach(async () => {
    await t?.cleanup();
  });

  it('import every file, into one system', { timeout: 120_000 }, async () => {
    writeCopies(join(t.dataDir, 'in-a'), 1, 60);
    writeCopies(join(t.dataDir, 'in-b'), 101, 60);
    const runs = await Promise.all(['in-a', 'in-b'].map((dir) => openremAsync(['import', join(t.dataDir, dir)], t.env)));
    for (const run of runs) {
      expect(run.stdout + run.stderr).not.toMatch(/duplicate key|failed:/);
      expect(run.stdout).toMatch(/60 imported/);
      expect(run.status).toBe(0);
    }
    expect(await t.db.kysely.selectFrom('equipment').select('id').execute()).toHaveLength(1);
    expect((await t.db.kysely.selectFrom('study').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n).toBe(120);
  });
});
