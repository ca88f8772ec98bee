// Damaged input never crashes an import, never changes what is stored when it fails, and
// never passes for a smaller or different record: truncated and bit-flipped copies of every
// corpus file go through the importer (in-process, checking the database after each file)
// and through the `openrem import` command as a whole.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStudies, loadStudies } from '../../src/db/report-store.js';
import { extractFromBytes } from '../../src/extract/index.js';
import { importFile } from '../../src/ingest/import-file.js';
import type { DoseReport } from '../../src/report/types.js';
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

/** What the intact file records: its modality and number of irradiation events. */
interface Record {
  modality: string;
  events: number;
}

function eventCount(r: Pick<DoseReport, 'ct' | 'projection'>): number {
  return r.ct?.events.length ?? r.projection?.events.length ?? 0;
}

/** The record of an intact corpus file; null when it is not a dose object. */
function recordOf(bytes: Uint8Array): Record | null {
  const outcome = extractFromBytes(bytes);
  return outcome.status === 'report' ? { modality: outcome.report.modality, events: eventCount(outcome.report) } : null;
}

interface DamagedCopy {
  file: string;
  damage: 'cut' | 'flip';
  /** The intact file's record. */
  intact: Record | null;
}

function corpusNames(): string[] {
  return readdirSync(CORPUS).filter((f) => f.endsWith('.dcm')).sort();
}

function damagedCopies(dir: string): DamagedCopy[] {
  mkdirSync(dir, { recursive: true });
  const random = mulberry32(20261203);
  const copies: DamagedCopy[] = [];
  for (const name of corpusNames()) {
    const bytes = readFileSync(join(CORPUS, name));
    const intact = recordOf(new Uint8Array(bytes));
    const write = (suffix: string, damage: DamagedCopy['damage'], data: Uint8Array) => {
      const file = join(dir, `${name.replace(/\.dcm$/, '')}--${suffix}.dcm`);
      writeFileSync(file, data);
      copies.push({ file, damage, intact });
    };
    for (const fraction of [0.02, 0.3, 0.6, 0.95]) write(`cut${Math.round(fraction * 100)}`, 'cut', bytes.subarray(0, Math.floor(bytes.length * fraction)));
    for (let variant = 0; variant < 4; variant++) {
      const copy = Buffer.from(bytes);
      // Flips land after the 132-byte preamble so most copies are still recognisably DICOM.
      const flips = 1 + Math.floor(random() * 8);
      for (let i = 0; i < flips; i++) {
        const at = 132 + Math.floor(random() * Math.max(1, copy.length - 132));
        copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
      }
      write(`flip${variant}`, 'flip', copy);
    }
  }
  return copies;
}

async function snapshot(t: TestDb): Promise<string> {
  const all: unknown[] = [];
  for await (const s of allStudies(t.db.kysely)) all.push(s);
  const equipment = await t.db.kysely.selectFrom('equipment').selectAll().orderBy('id').execute();
  return JSON.stringify({ all, equipment });
}

const work = mkdtempSync(join(tmpdir(), 'openrem-fuzz-'));
const copies = damagedCopies(join(work, 'in'));
const files = copies.map((c) => c.file);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('dose objects cut short at any point', () => {
  it('are refused, or read with every event and the same modality, never skipped as not dose objects', () => {
    const problems: string[] = [];
    let refused = 0;
    for (const name of corpusNames()) {
      const bytes = new Uint8Array(readFileSync(join(CORPUS, name)));
      const intact = recordOf(bytes);
      if (!intact) continue;
      // Evenly spread cuts (fewer in the large files, slow to parse), and the last bytes where trailing elements and sequence delimiters lie.
      const spread = bytes.length > 500_000 ? 6 : 40;
      const cuts = new Set<number>([...Array.from({ length: spread }, (_, i) => Math.floor((bytes.length * (i + 1)) / (spread + 1))), ...[1, 4, 8, 9, 16].map((n) => bytes.length - n)]);
      for (const at of cuts) {
        const outcome = extractFromBytes(bytes.subarray(0, at));
        if (outcome.status === 'not-dose') problems.push(`${name} cut at ${at}: skipped as ${outcome.reason}`);
        if (outcome.status === 'failed') {
          refused++;
          if (/dicomParser|maxP ?osition|byteStream/i.test(outcome.reason)) problems.push(`${name} cut at ${at}: parser text in "${outcome.reason}"`);
        }
        if (outcome.status !== 'report') continue;
        const read = { modality: outcome.report.modality, events: eventCount(outcome.report) };
        if (read.modality !== intact.modality || read.events < intact.events) problems.push(`${name} cut at ${at}: read as ${read.modality} with ${read.events} events, intact ${intact.modality} with ${intact.events}`);
      }
    }
    expect(problems).toEqual([]);
    expect(refused).toBeGreaterThan(1000);
  });
});

for (const engine of ENGINES) {
  describe(`damaged files (${engine})`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('imports or reports every damaged copy; a failure changes nothing stored, a cut copy never stores less', async () => {
      const problems: string[] = [];
      const statuses = new Map<string, number>();
      for (const { file, damage, intact } of copies) {
        const before = await snapshot(t);
        const r = await importFile(t.db, DEFAULT_SETTINGS, file);
        const key = `${damage} ${r.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (!r.message) problems.push(`${file}: no reason given`);
        if (r.status === 'failed' || r.status === 'not-dose') {
          if ((await snapshot(t)) !== before) problems.push(`${file}: ${r.status} but the database changed`);
        }
        if (damage !== 'cut' || !intact) continue;
        if (r.status === 'not-dose') problems.push(`${file}: a cut dose object skipped as ${r.message}`);
        if ((r.status === 'imported' || r.status === 'merged') && !r.warnings?.length) {
          const [stored] = await loadStudies(t.db.kysely, [r.studyId!]);
          const events = eventCount(stored!);
          if (stored!.modality !== intact.modality || events < intact.events) problems.push(`${file}: stored as ${stored!.modality} with ${events} events without a warning, intact ${intact.modality} with ${intact.events}`);
        }
      }
      expect(problems).toEqual([]);
      // Image headers cut inside their pixel data are whole; bit flips in values leave copies readable.
      const read = (damage: string) => ['imported', 'merged', 'duplicate'].reduce((n, s) => n + (statuses.get(`${damage} ${s}`) ?? 0), 0);
      expect(read('cut')).toBeGreaterThan(0);
      expect(read('flip')).toBeGreaterThan(copies.filter((c) => c.damage === 'flip').length / 3);
      expect(statuses.get('cut failed') ?? 0).toBeGreaterThan(copies.filter((c) => c.damage === 'cut').length / 2);
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
