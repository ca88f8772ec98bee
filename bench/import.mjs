// Import throughput: a few thousand copies (fresh UIDs) of a real CT RDSR and a real RF RDSR,
// imported through the CLI code path into an empty database, on SQLite and on PostgreSQL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { makeCopies } from './copies.mjs';

const corpus = resolve('..', 'shared', 'corpus', 'dicom');
const PG_URL = process.env.OPENREM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const importCases = [
  { name: 'CT RDSR (Siemens Flash, 25 KB, 4 events)', file: 'CT-RDSR-Siemens_Flash-TAP-SS.dcm', count: 3000, target: 500 },
  { name: 'RF RDSR (Siemens Artis Zee, 62 KB, 8 events)', file: 'RF-RDSR-Siemens-Zee.dcm', count: 1500, target: 120 },
];

async function pgSchema() {
  const schema = `bench_${Date.now().toString(36)}`;
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

export async function benchImport(engines) {
  const work = mkdtempSync(join(tmpdir(), 'openrem-bench-'));
  const rows = [];
  try {
    for (const c of importCases) {
      const dir = join(work, c.file.replace(/\.dcm$/, ''));
      makeCopies(join(corpus, c.file), dir, c.count, 'copy');
      // SQLite is measured also with reading and extraction kept on the main thread.
      const runs = engines.flatMap((engine) => (engine === 'sqlite' ? [{ engine, threads: null }, { engine, threads: 0 }] : [{ engine, threads: null }]));
      for (const { engine, threads } of runs) {
        const dataDir = mkdtempSync(join(work, 'data-'));
        const env = { ...process.env, OPENREM_DATA_DIR: dataDir, CI: 'true' };
        delete env.DATABASE_URL;
        delete env.OPENREM_IMPORT_THREADS;
        if (threads !== null) env.OPENREM_IMPORT_THREADS = String(threads);
        let cleanup = async () => undefined;
        if (engine === 'postgres') {
          const s = await pgSchema();
          env.DATABASE_URL = PG_URL;
          env.OPENREM_PG_SCHEMA = s.schema;
          cleanup = s.drop;
        }
        const r = spawnSync(process.execPath, ['bench/run-import.mjs', dir], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
        await cleanup();
        const stats = JSON.parse(r.stderr.trim().split('\n').pop());
        if (stats.code !== 0) throw new Error(`import failed on ${engine}: ${r.stderr.slice(0, 500)}`);
        rows.push({
          case: c.name,
          engine,
          threads: threads === null ? 'default' : String(threads),
          files: c.count,
          seconds: stats.seconds,
          perSecond: c.count / stats.seconds,
          target: engine === 'sqlite' ? c.target : null,
          maxRssMb: stats.maxRssMb,
        });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
