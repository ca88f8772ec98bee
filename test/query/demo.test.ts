// The demo data generator: deterministic, realistic in shape, written as an import would write
// it, and `openrem demo` builds a database a newcomer can sign in to.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createUser, findUserByName } from '../../src/auth/users.js';
import { parseDemoArgs } from '../../src/cli/demo.js';
import { openDatabase } from '../../src/db/connect.js';
import { DEMO_SETTINGS, writeDemoStudies } from '../../src/demo/build.js';
import { DEMO_MARKER } from '../../src/demo/folder.js';
import { generateReport, type DemoOptions } from '../../src/demo/generate.js';
import { ingestReport, prepareForStorage } from '../../src/ingest/ingest.js';
import type { DoseReport } from '../../src/report/types.js';
import { killProcesses, openrem, startOpenrem, stopProcess, type RunningProcess } from '../helpers/cli.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

const OPTS: DemoOptions = { seed: 7, today: new Date(2024, 5, 30), days: 365 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

describe('generated studies', () => {
  const reports: DoseReport[] = Array.from({ length: 3000 }, (_, i) => prepareForStorage(generateReport(i, OPTS), DEMO_SETTINGS));

  it('are the same for the same seed and index, and differ between indexes', () => {
    expect(generateReport(42, OPTS)).toEqual(generateReport(42, OPTS));
    expect(generateReport(42, { ...OPTS, seed: 8 }).study.studyInstanceUid).not.toBe(generateReport(42, OPTS).study.studyInstanceUid);
    expect(new Set(reports.map((r) => r.study.studyInstanceUid)).size).toBe(reports.length);
  });

  it('cover every modality, many systems and vendors, dated within the period', () => {
    const byModality = new Map<string, number>();
    for (const r of reports) byModality.set(r.modality, (byModality.get(r.modality) ?? 0) + 1);
    expect([...byModality.keys()].sort()).toEqual(['CT', 'DX', 'MG', 'NM', 'RF']);
    expect(new Set(reports.map((r) => `${r.equipment.institutionName} ${r.equipment.stationName}`)).size).toBeGreaterThanOrEqual(20);
    expect(new Set(reports.map((r) => r.equipment.manufacturer)).size).toBeGreaterThanOrEqual(10);
    const dates = reports.map((r) => r.study.studyDate!).sort();
    expect(dates[0]! >= '2023-07-02').toBe(true);
    expect(dates[dates.length - 1]! <= '2024-06-30').toBe(true);
  });

  it('include dual-source CT, bi-plane fluoroscopy with plane B totals, and flagged QA studies', () => {
    expect(reports.some((r) => r.ct?.events.some((e) => e.numberOfXraySources === 2 && e.sources?.length === 2))).toBe(true);
    const biplane = reports.filter((r) => r.summary.numberOfPlanes === 2);
    expect(biplane.length).toBeGreaterThan(0);
    for (const r of biplane) expect(r.summary.totalDapGym2).toBeCloseTo((r.summary.totalDapAGym2 ?? 0) + (r.summary.totalDapBGym2 ?? 0), 12);
    const qa = reports.filter((r) => r.patient.notPatientIndicator);
    expect(qa.length).toBeGreaterThan(0);
    expect(qa.every((r) => r.study.studyDescription?.startsWith('QA '))).toBe(true);
  });

  it('have plausible doses per protocol, in the units of the DoseReport', () => {
    const dlp = (description: string) => median(reports.filter((r) => r.study.studyDescription === description).map((r) => r.summary.totalDlpMGyCm!));
    // National reference levels are around 970 (head), 350 (chest) and 600 (abdomen and pelvis) mGy·cm.
    expect(dlp('CT Head')).toBeGreaterThan(500);
    expect(dlp('CT Head')).toBeLessThan(1200);
    expect(dlp('CT Chest')).toBeGreaterThan(150);
    expect(dlp('CT Chest')).toBeLessThan(450);
    expect(dlp('CT Abdomen Pelvis')).toBeGreaterThan(300);
    expect(dlp('CT Abdomen Pelvis')).toBeLessThan(800);
    // A chest radiograph: about 0.1 Gy·cm² = 1e-5 Gy·m².
    const chest = median(reports.filter((r) => r.study.studyDescription === 'Chest PA').map((r) => r.summary.totalDapGym2!));
    expect(chest).toBeGreaterThan(5e-6);
    expect(chest).toBeLessThan(3e-5);
    const agd = reports.filter((r) => r.modality === 'MG' && r.study.studyDescription === 'Screening mammography bilateral').map((r) => r.summary.totalAgdLeftMGy!);
    expect(median(agd)).toBeGreaterThan(2);
    expect(median(agd)).toBeLessThan(5);
    expect(reports.filter((r) => r.modality === 'MG').every((r) => r.patient.sex === 'F' || r.patient.sex === 'O')).toBe(true);
  });
});

describe.each(ENGINES)('the bulk writer on %s', (engine) => {
  let bulk: TestDb;
  let ingested: TestDb;
  const COUNT = 120;

  beforeAll(async () => {
    bulk = await createTestDb(engine);
    ingested = await createTestDb(engine);
    await writeDemoStudies(bulk.db, { ...OPTS, from: 0, count: COUNT, settings: DEMO_SETTINGS, batchSize: 50 });
    for (let i = 0; i < COUNT; i++) await ingestReport(ingested.db, DEMO_SETTINGS, generateReport(i, OPTS));
  });
  afterAll(async () => {
    await bulk.cleanup();
    await ingested.cleanup();
  });

  /** Every row of a study as stored, without database ids and creation times. */
  async function rows(t: TestDb) {
    const q = t.db.kysely;
    const equipment = new Map((await q.selectFrom('equipment').selectAll().execute()).map((e) => [e.id, { ...e, id: 0, created_at: '' }]));
    const studies = await q.selectFrom('study').selectAll().orderBy('study_instance_uid').execute();
    const out = [];
    for (const s of studies) {
      const ct = await q.selectFrom('ct_event').selectAll().where('study_id', '=', s.id).orderBy('seq').execute();
      const proj = await q.selectFrom('proj_event').selectAll().where('study_id', '=', s.id).orderBy('seq').execute();
      const uids = await q.selectFrom('object_uid').select('sop_instance_uid').where('study_id', '=', s.id).execute();
      out.push({
        study: { ...s, id: 0, created_at: '', equipment_id: 0 },
        equipment: equipment.get(s.equipment_id),
        ct: ct.map((e) => ({ ...e, id: 0, study_id: 0 })),
        proj: proj.map((e) => ({ ...e, id: 0, study_id: 0 })),
        uids: uids.map((u) => u.sop_instance_uid),
      });
    }
    return out;
  }

  it('stores exactly the rows an import of the same reports stores', async () => {
    const viaBulk = await rows(bulk);
    expect(viaBulk).toHaveLength(COUNT);
    expect(viaBulk).toEqual(await rows(ingested));
  });
});

describe('openrem demo', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'openrem-demo-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads its options, refusing unknown ones; serves on this machine only unless --host says otherwise', () => {
    expect(parseDemoArgs(['--studies', '500', '--no-serve', '--data-dir', '/x/y', '--port', '9000'])).toMatchObject({
      studies: 500,
      serve: false,
      dataDir: '/x/y',
      serveArgs: ['--port', '9000', '--host', '127.0.0.1'],
    });
    expect(parseDemoArgs([])).toMatchObject({ studies: null, serve: true, seed: 1, serveArgs: ['--host', '127.0.0.1'] });
    expect(parseDemoArgs(['--host=0.0.0.0']).serveArgs).toEqual(['--host', '0.0.0.0']);
    expect(() => parseDemoArgs(['--studies', 'many'])).toThrow('--studies needs a whole number of at least 1');
    expect(() => parseDemoArgs(['--bogus'])).toThrow('unknown option --bogus');
  });

  it('builds a database of its own with a user to sign in as; a second run adds studies', async () => {
    const dataDir = join(dir, 'demo');
    // DATABASE_URL is ignored: made-up studies never go to the configured database.
    const first = openrem(['demo', '--studies', '300', '--no-serve', '--data-dir', dataDir], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`DATABASE_URL is not used: the demo keeps its made-up studies in its own embedded database in ${dataDir}.`);
    expect(first.stdout).toContain('Built 300 studies');
    expect(readdirSync(dataDir)).toContain(DEMO_MARKER);
    const second = openrem(['demo', '--studies', '200', '--no-serve', '--data-dir', dataDir], {});
    expect(second.status).toBe(0);
    const db = await openDatabase({ dataDir });
    try {
      const n = await db.kysely.selectFrom('study').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(500);
      const user = await findUserByName(db.kysely, 'demo');
      expect(user?.roles).toEqual(['view', 'importsize', 'importqr', 'export', 'pid', 'admin']);
    } finally {
      await db.close();
    }
    expect(openrem(['demo', '--studies', 'x'], {}).status).toBe(2);
  });

  it('refuses a folder it did not make (a real data folder): nothing is written there, no account is touched', async () => {
    const real = join(dir, 'real-data');
    expect(openrem(['migrate'], { OPENREM_DATA_DIR: real }).status).toBe(0);
    const db = await openDatabase({ dataDir: real });
    try {
      await createUser(db.kysely, { username: 'demo', password: 'harbour-violet-candle-8', roles: ['view'] });
    } finally {
      await db.close();
    }
    const before = readdirSync(real).sort();
    const refused = openrem(['demo', '--studies', '10', '--no-serve', '--data-dir', real], {});
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      `openrem demo: ${real} already holds files and was not made by openrem demo (it has no ${DEMO_MARKER} file). ` +
        'The demo writes made-up studies and a demo superuser only into a folder of its own: give a new or empty folder with --data-dir.\n',
    );
    expect(refused.stdout).toBe('');
    expect(readdirSync(real).sort()).toEqual(before);
    const after = await openDatabase({ dataDir: real });
    try {
      const n = await after.kysely.selectFrom('study').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(0);
      // The account keeps its password and roles.
      expect((await authenticate(after.kysely, 'demo', 'harbour-violet-candle-8'))?.roles).toEqual(['view']);
    } finally {
      await after.close();
    }
    // Any other file in the folder is enough to refuse it, and so is a file in its place.
    const notes = join(dir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'todo.txt'), 'x');
    expect(openrem(['demo', '--no-serve', '--data-dir', notes], {}).status).toBe(2);
    expect(existsSync(join(notes, 'openrem.sqlite3'))).toBe(false);
    const file = join(notes, 'todo.txt');
    const onFile = openrem(['demo', '--no-serve', '--data-dir', file], {});
    expect(onFile.status).toBe(2);
    expect(onFile.stderr).toBe(`openrem demo: ${file} is a file, not a folder.\n`);
  });

  it('takes an empty folder, and serves on 127.0.0.1 unless --host is given', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const running: RunningProcess[] = [];
    try {
      const server = await startOpenrem(['demo', '--studies', '5', '--data-dir', empty, '--port', '0'], {});
      running.push(server);
      expect(readdirSync(empty)).toContain(DEMO_MARKER);
      expect(server.stdout).toMatch(/web interface: http:\/\/127\.0\.0\.1:\d+\/, sqlite database/);
      expect(server.stdout).not.toContain('all network interfaces');
      expect(server.stdout).toContain('Only this machine can open it; --host 0.0.0.0 offers it to other machines too.');
      const url = /web interface: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(server.stdout)![1]!;
      expect((await fetch(`${url}login`)).status).toBe(200);
      await stopProcess(server);
    } finally {
      await killProcesses(running);
    }
  });
});
