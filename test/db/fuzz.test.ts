// Damaged input never crashes an import and never changes what is stored: truncated and
// bit-flipped copies of every corpus file go through the importer (in-process, checking the
// database after each failure) and through the `openrem import` command as a whole.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStudies } from '../../src/db/report-store.js';
import { importFile } from '../../src/ingest/import-file.js';
import { DEFAULT_SETTINGS } from '../../src/settings/site.js';
import { CORPUS, PROJECT_ROOT } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function damagedCopies(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const random = mulberry32(20261203);
  const files: string[] = [];
  for (const name of readdirSync(CORPUS).filter((f) => f.endsWith('.dcm')).sort()) {
    const bytes = readFileSync(join(CORPUS, name));
    const write = (suffix: string, data: Uint8Array) => {
      const f = join(dir, `${name.replace(/\.dcm$/, '')}--${suffix}.dcm`);
      writeFileSync(f, data);
      files.push(f);
    };
    for (const fraction of [0.02, 0.3, 0.6, 0.95]) write(`cut${Math.round(fraction * 100)}`, bytes.subarray(0, Math.floor(bytes.length * fraction)));
    for (let variant = 0; variant < 4; variant++) {
      const copy = Buffer.from(bytes);
      // Flips land after the 132-byte preamble so most copies are still recognisably DICOM.
      const flips = 1 + Math.floor(random() * 8);
      for (let i = 0; i < flips; i++) {
        const at = 132 + Math.floor(random() * Math.max(1, copy.length - 132));
        copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
      }
      write(`flip${variant}`, copy);
    }
  }
  return files;
}

async function snapshot(t: TestDb): Promise<string> {
  const all: unknown[] = [];
  for await (const s of allStudies(t.db.kysely)) all.push(s);
  const equipment = await t.db.kysely.selectFrom('equipment').selectAll().orderBy('id').execute();
  return JSON.stringify({ all, equipment });
}

const work = mkdtempSync(join(tmpdir(), 'openrem-fuzz-'));
const files = damagedCopies(join(work, 'in'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const engine of ENGINES) {
  describe(`damaged files (${engine})`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('imports or reports every damaged copy, and a failure changes nothing stored', async () => {
      const problems: string[] = [];
      const statuses = new Map<string, number>();
      for (const file of files) {
        const before = await snapshot(t);
        const r = await importFile(t.db, DEFAULT_SETTINGS, file);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (!r.message) problems.push(`${file}: no reason given`);
        if (r.status === 'failed' || r.status === 'not-dose') {
          if ((await snapshot(t)) !== before) problems.push(`${file}: ${r.status} but the database changed`);
        }
      }
      expect(problems).toEqual([]);
      // Most copies are still read (flipped copies keep their UIDs, so many are duplicates).
      const read = (statuses.get('imported') ?? 0) + (statuses.get('merged') ?? 0) + (statuses.get('duplicate') ?? 0);
      expect(read).toBeGreaterThan(files.length / 2);
      expect(statuses.get('failed') ?? 0).toBeGreaterThan(0);
    });
  });
}

describe('damaged files through the command line', () => {
  it('prints one result per file and exits 1 (some failed), never crashing', () => {
    const dataDir = join(work, 'cli-data');
    const env: NodeJS.ProcessEnv = { ...process.env, OPENREM_DATA_DIR: dataDir, CI: 'true' };
    delete env.DATABASE_URL;
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'openrem.js'), 'import', '--json', join(work, 'in')], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.stderr).not.toMatch(/at .+\(.+:\d+:\d+\)/);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; status: string; message: string });
    expect(lines).toHaveLength(files.length);
    for (const l of lines) {
      expect(['imported', 'merged', 'duplicate', 'not-dose', 'failed']).toContain(l.status);
      expect(l.message.length).toBeGreaterThan(0);
    }
    // Failed DICOM copies are kept in the quarantine with their reason.
    const failedDicom = lines.filter((l) => l.status === 'failed' && !/not a DICOM file/.test(l.message));
    const kept = readdirSync(join(dataDir, 'quarantine'), { recursive: true }).filter((f) => String(f).endsWith('.reason.json'));
    expect(kept.length).toBe(failedDicom.length);
  });
});
