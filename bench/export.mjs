// Exporting every CT study of a large database to XLSX and to CSV the way the export task runs
// (queued, then claimed and run by a task worker): time, studies per second, file size and
// peak resident memory, each format on each engine in a fresh process, so the peak is the
// export's own. The database, 100,000 CT studies with 500,000 irradiation events, is made of
// copies of five real corpus studies (2 to 9 events each, 5 on average) with their own UIDs,
// accession numbers and dates; it is built once per engine and kept under .bench/export/
// (OPENREM_BENCH_FRESH=1 rebuilds it). OPENREM_BENCH_STUDIES changes the number of studies.
// Run: `npm run bench export` (or node bench/export.mjs after a build).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const STUDIES = Number(process.env.OPENREM_BENCH_STUDIES ?? 100_000);
const PG_URL = process.env.OPENREM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CORPUS = resolve('..', 'shared', 'corpus', 'dicom');
/** 9, 6, 4, 4 and 2 events: 5 per study on average. */
const FILES = ['CT-RDSR-Siemens_Flash-QA-DS.dcm', 'CT-ESR-GE_Optima.dcm', 'CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-SC-Philips_Brilliance16P.dcm', 'CT-RDSR-GEPixelMed.dcm'];
const FORMATS = ['xlsx', 'csv'];
const ROOT = resolve('.bench', 'export');

const BUILD = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, writeTransaction } from './dist/db/connect.js';
import { insertStudy } from './dist/db/report-store.js';
import { extractFromBytes } from './dist/extract/index.js';
import { findOrCreateEquipment } from './dist/ingest/equipment.js';
import { prepareForStorage } from './dist/ingest/ingest.js';
import { loadSettings } from './dist/settings/store.js';
const [dataDir, studiesText, corpus, files, url, schema] = process.argv.slice(1);
const studies = Number(studiesText);
const db = await openDatabase({ dataDir, databaseUrl: url || undefined, pgSchema: schema || undefined });
const settings = await loadSettings(db.kysely);
const now = new Date().toISOString();
const sources = [];
for (const f of files.split(',')) {
  const outcome = extractFromBytes(new Uint8Array(readFileSync(join(corpus, f))));
  if (outcome.status !== 'report') throw new Error(f + ': ' + outcome.status);
  const report = prepareForStorage(outcome.report, settings);
  sources.push({ report, equipmentId: (await findOrCreateEquipment(db.kysely, { ...report.equipment }, now)).id });
}
const day = 86_400_000;
const t = performance.now();
let events = 0;
for (let start = 0; start < studies; start += 1000) {
  await writeTransaction(db, null, async (q) => {
    for (let i = start; i < Math.min(studies, start + 1000); i++) {
      const { report, equipmentId } = sources[i % sources.length];
      const uid = '2.25.' + (10n ** 30n + BigInt(i));
      const studyDate = new Date(Date.UTC(2020, 0, 1) + (i % 1826) * day).toISOString().slice(0, 10);
      const study = { ...report.study, studyInstanceUid: uid, accessionNumber: 'BENCH' + String(i).padStart(8, '0'), studyDate };
      await insertStudy(q, { ...report, sopInstanceUid: uid + '.1', study, objectUidsProcessed: [uid + '.1'] }, equipmentId, now);
      events += report.ct.events.length;
    }
  });
}
await sql.raw(db.engine === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db.kysely);
console.log(JSON.stringify({ studies, events, seconds: (performance.now() - t) / 1000 }));
await db.close();
`;

const EXPORT = `
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { openDatabase } from './dist/db/connect.js';
import { listExportKindFor } from './dist/export/kinds.js';
import { exportsDir } from './dist/export/paths.js';
import { enqueueTask, getTask, TaskRegistry, TaskWorker } from './dist/tasks/index.js';
const [dataDir, format, url, schema] = process.argv.slice(1);
const db = await openDatabase({ dataDir, databaseUrl: url || undefined, pgSchema: schema || undefined });
rmSync(exportsDir(dataDir), { recursive: true, force: true });
await db.kysely.deleteFrom('export_file').execute();
await db.kysely.deleteFrom('task').execute();
const kind = listExportKindFor('CT');
const worker = new TaskWorker({ db, dataDir, kinds: new TaskRegistry([kind]), log: pino({ level: 'silent' }), pollMs: 100 });
const startRss = process.memoryUsage().rss;
await worker.start();
const task = await enqueueTask(db, kind, { format, pid: false, filter: {} }, { label: 'bench' });
let row;
for (;;) {
  row = await getTask(db, task.id);
  if (['done', 'failed', 'aborted'].includes(row.state)) break;
  await new Promise((r) => setTimeout(r, 200));
}
await worker.stop();
if (row.state !== 'done') throw new Error('export ' + row.state + ': ' + row.reason);
const file = await db.kysely.selectFrom('export_file').selectAll().where('task_id', '=', task.id).executeTakeFirstOrThrow();
const { n } = await db.kysely.selectFrom('ct_event').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
console.log(JSON.stringify({
  studies: file.studies,
  events: Number(n),
  bytes: statSync(join(exportsDir(dataDir), file.file_name)).size,
  seconds: file.duration_ms / 1000,
  startRssMB: startRss / 2 ** 20,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
}));
await db.close();
`;

function child(script, args, what) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function psql(command) {
  const r = spawnSync('psql', [PG_URL, '-q', '-c', command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
}

/** The kept database of this engine, built first when missing or of another size. */
function benchDatabase(engine) {
  const dataDir = join(ROOT, `${engine}-${STUDIES}`);
  const schema = engine === 'postgres' ? `bench_export_${STUDIES}` : '';
  const infoFile = `${dataDir}.json`;
  let info = existsSync(infoFile) ? JSON.parse(readFileSync(infoFile, 'utf8')) : null;
  if (process.env.OPENREM_BENCH_FRESH || !info || info.studies !== STUDIES) {
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) psql(`drop schema if exists ${schema} cascade`);
    mkdirSync(dataDir, { recursive: true });
    process.stderr.write(`  ${engine}: building ${STUDIES} CT studies\n`);
    info = child(BUILD, [dataDir, String(STUDIES), CORPUS, FILES.join(','), engine === 'postgres' ? PG_URL : '', schema], `building the ${engine} database`);
    writeFileSync(infoFile, JSON.stringify(info));
  }
  return { dataDir, schema, info };
}

export function benchExport(engines) {
  const rows = [];
  for (const engine of engines) {
    const { dataDir, schema, info } = benchDatabase(engine);
    for (const format of FORMATS) {
      const m = child(EXPORT, [dataDir, format, engine === 'postgres' ? PG_URL : '', schema], `${format} export on ${engine}`);
      rows.push({
        engine,
        format,
        studies: m.studies,
        events: m.events,
        'file MB': m.bytes / 1e6,
        seconds: m.seconds,
        'studies/s': Math.round(m.studies / m.seconds),
        'RSS before MB': m.startRssMB,
        'RSS peak MB': m.peakRssMB,
      });
    }
    rows.push({ engine, format: `(database built in ${(info.seconds / 60).toFixed(1)} min)`, studies: info.studies, events: info.events, 'file MB': null, seconds: null, 'studies/s': null, 'RSS before MB': null, 'RSS peak MB': null });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(benchExport((process.env.OPENREM_TEST_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim())));
}
