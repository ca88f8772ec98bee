// Patient size import of a million-row CSV, database included: time, rows per second, and
// memory (live heap growth, peak resident) against the file's size, each engine in a fresh
// process. Timings include a full garbage collection every 100 batches (for the live heap).
// Every 1000th row names a stored study (updated, with overwrite); the rest are not found.
// Then what the import left behind: its log's rows, how much the database grew, and the time
// and size of the log's CSV download. Run: `npm run bench ptsize` (or node bench/ptsize.mjs
// after a build). OPENREM_BENCH_ROWS changes the number of rows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROWS = Number(process.env.OPENREM_BENCH_ROWS ?? 1_000_000);
const PG_URL = process.env.OPENREM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CORPUS = resolve('..', 'shared', 'corpus', 'dicom');
const FILES = ['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'DX-Im-GE_XR220-1.dcm'];

const CHILD = `
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { openDatabase } from './dist/db/connect.js';
import { importFile } from './dist/ingest/import-file.js';
import { loadSettings } from './dist/settings/store.js';
import { readLayout } from './dist/ptsize/read-csv.js';
import { runSizeImport } from './dist/ptsize/run-import.js';
import { createSizeImport, getSizeImport } from './dist/ptsize/store.js';
import { logCsvLines } from './dist/ptsize/log-csv.js';
import { sql } from 'kysely';
const [dataDir, rowsText, corpus, files, url, schema] = process.argv.slice(1);
const rows = Number(rowsText);
const db = await openDatabase({ dataDir, databaseUrl: url || undefined, pgSchema: schema || undefined });
// The database's tables with their indexes, in bytes (SQLite: its pages; PostgreSQL: this schema's relations).
async function databaseBytes() {
  if (db.engine === 'sqlite') {
    const [count] = (await sql\`pragma page_count\`.execute(db.kysely)).rows;
    const [size] = (await sql\`pragma page_size\`.execute(db.kysely)).rows;
    return count.page_count * size.page_size;
  }
  const [r] = (await sql\`select coalesce(sum(pg_total_relation_size(c.oid)), 0) as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = current_schema() and c.relkind = 'r'\`.execute(db.kysely)).rows;
  return Number(r.n);
}
const settings = await loadSettings(db.kysely);
const accessions = [];
for (const f of files.split(',')) {
  const r = await importFile(db, settings, join(corpus, f));
  const row = await db.kysely.selectFrom('study').select('accession_number').where('id', '=', r.studyId).executeTakeFirstOrThrow();
  accessions.push(row.accession_number);
}
const csv = join(dataDir, 'sizes.csv');
const out = createWriteStream(csv);
out.write('Accession,Height,Weight\\n');
for (let i = 1; i <= rows; i++) {
  const id = i % 1000 === 0 ? accessions[(i / 1000) % accessions.length] : 'MISSING' + i;
  if (!out.write(id + ',' + (150 + (i % 50)) + ',' + (50 + (i % 70)) + '\\n')) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
const mapping = { idColumn: 'Accession', idKind: 'accession', heightColumn: 'Height', weightColumn: 'Weight', heightUnit: 'auto', overwrite: true };
const layout = await readLayout(csv);
const imp = await createSizeImport(db, { source: 'command line', fileName: 'sizes.csv', uploadPath: null, layout, startedBy: { id: null, name: null }, mapping, state: 'running' });
const dbBefore = await databaseBytes();
globalThis.gc();
const base = process.memoryUsage();
let live = base.heapUsed, rss = base.rss, batches = 0;
const sample = setInterval(() => { rss = Math.max(rss, process.memoryUsage().rss); }, 100);
const t = performance.now();
// What stays reachable while the import runs: the heap after a full collection, now and then.
const onProgress = () => { if (++batches % 100 === 0) { globalThis.gc(); live = Math.max(live, process.memoryUsage().heapUsed); } };
const counts = await runSizeImport(db, imp.id, csv, mapping, { onProgress });
const seconds = (performance.now() - t) / 1000;
clearInterval(sample);
const dbGrowthMB = ((await databaseBytes()) - dbBefore) / 1e6;
const logRows = Number((await db.kysely.selectFrom('size_import_log').select((eb) => eb.fn.countAll().as('n')).where('import_id', '=', imp.id).executeTakeFirstOrThrow()).n);
const d = performance.now();
let logBytes = 0;
for await (const line of logCsvLines(db, await getSizeImport(db, imp.id))) logBytes += Buffer.byteLength(line);
const logSeconds = (performance.now() - d) / 1000;
console.log(JSON.stringify({ seconds, counts, fileMB: statSync(csv).size / 1e6, liveGrowthMB: (live - base.heapUsed) / 1e6, peakRssMB: rss / 1e6, startRssMB: base.rss / 1e6, dbGrowthMB, logRows, logMB: logBytes / 1e6, logSeconds }));
await db.close();
`;

export function benchPtsize(engines) {
  const rows = [];
  for (const engine of engines) {
    const dataDir = mkdtempSync(join(tmpdir(), 'openrem-bench-ptsize-'));
    const schema = engine === 'postgres' ? `bench_ptsize_${process.pid}` : '';
    try {
      const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD, dataDir, String(ROWS), CORPUS, FILES.join(','), engine === 'postgres' ? PG_URL : '', schema], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (r.status !== 0) throw new Error(`ptsize bench on ${engine} failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout.trim().split('\n').pop());
      rows.push({
        engine,
        rows: m.counts.rows,
        updated: m.counts.studiesUpdated,
        'not found': m.counts.rowsNotFound,
        'file MB': m.fileMB,
        seconds: m.seconds,
        'rows/s': Math.round(m.counts.rows / m.seconds),
        'live heap growth MB': m.liveGrowthMB,
        'RSS start MB': m.startRssMB,
        'RSS peak MB': m.peakRssMB,
        'log rows': m.logRows,
        'database growth MB': m.dbGrowthMB,
        'log download MB': m.logMB,
        'log download s': m.logSeconds,
      });
    } finally {
      if (schema) spawnSync('psql', [PG_URL, '-c', `drop schema if exists ${schema} cascade`], { encoding: 'utf8' });
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(benchPtsize((process.env.OPENREM_TEST_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim())));
}
