// Page timings on a large database: the home page, list pages with filters and sorts, and study
// pages, through the whole web stack (app.inject with a signed-in session), on a database of
// made-up studies built by the demo generator. The database is built once and kept under
// .bench/pages/ (OPENREM_BENCH_FRESH=1 rebuilds it); its build time and size are reported.
//
// OPENREM_BENCH_STUDIES (default 1000000) sets the size; OPENREM_BENCH_REPEATS the timed
// requests per page (default 15, after one untimed warm-up request).
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

// The built code, loaded when the benchmark runs (scripts/bench.mjs builds it first).
const dist = async () => ({
  ...(await import('../dist/db/connect.js')),
  ...(await import('../dist/demo/build.js')),
  ...(await import('../dist/settings/store.js')),
  ...(await import('../dist/auth/users.js')),
  ...(await import('../dist/auth/sessions.js')),
  ...(await import('../dist/web/auth/cookies.js')),
  ...(await import('../dist/web/app.js')),
  sql: (await import('kysely')).sql,
});

const PG_URL = process.env.OPENREM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STUDIES = Number(process.env.OPENREM_BENCH_STUDIES ?? 1_000_000);
const REPEATS = Number(process.env.OPENREM_BENCH_REPEATS ?? 15);
const SEED = 1;
const DAYS = 1825;
const ROOT = resolve('.bench', 'pages');

/** The pages timed: [label, URL]; study pages are added once ids are known. */
function listPages(today) {
  const yearAgo = new Date(today.getFullYear() - 1, today.getMonth(), today.getDate()).toISOString().slice(0, 10);
  return [
    ['home', '/'],
    ['CT list, newest first', '/ct'],
    ['CT, one system (home page link)', `/ct?system=${encodeURIComponent('Royal Infirmary CT1')}`],
    ['CT, sorted by DLP, highest first', '/ct?sort=dlp&dir=desc'],
    ['CT, sorted by DLP, lowest first', '/ct?sort=dlp&dir=asc'],
    ['CT, last year, sorted by DLP', `/ct?dateFrom=${yearAgo}&sort=dlp`],
    ['CT, description contains "chest"', '/ct?studyDescription=chest'],
    ['CT, protocol contains "CTPA" (events)', '/ct?acquisitionProtocol=CTPA'],
    ['CT, DLP ≥ 1000, women, age ≥ 60', '/ct?dlpMin=1000&sex=F&ageMin=60'],
    ['CT, nights (20:00–07:00), not QA', '/ct?timeFrom=20:00&timeTo=07:00&testData=exclude'],
    ['CT, page 200 of 100 per page', '/ct?page=200&perPage=100'],
    ['CT, sorted by description', '/ct?sort=description&dir=asc'],
    ['CT, sorted by system', '/ct?sort=system&dir=asc'],
    ['DX, sorted by DAP', '/dx?sort=dap&dir=desc'],
    ['DX, model contains "definium", DAP ≤ 5', '/dx?modelName=definium&dapMax=5'],
    ['RF, DAP ≥ 5000 cGy·cm², by dose at RP', '/rf?dapMin=5000&sort=rpDoseA&dir=desc'],
    ['MG, AGD ≥ 3 mGy', '/mg?agdMin=3'],
    ['MG, MLO views, thickness ≥ 80 mm', '/mg?view=medio&compressionThicknessMin=80'],
    ['NM, sorted by activity', '/nm?sort=activity&dir=desc'],
  ];
}

function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo);
}

function folderSize(dir) {
  let total = 0;
  for (const f of readdirSync(dir)) {
    const s = statSync(join(dir, f));
    total += s.isDirectory() ? folderSize(join(dir, f)) : s.size;
  }
  return total;
}

async function pgSize(schema) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const r = await c.query(`select coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))), 0) as bytes from pg_tables where schemaname = $1`, [schema]);
  await c.end();
  return Number(r.rows[0].bytes);
}

/** Opens the kept database of this engine, building it first when missing or of another size. */
async function benchDatabase(engine) {
  const { openDatabase, saveSettings, writeDemoStudies, DEMO_SETTINGS, sql } = await dist();
  const dataDir = join(ROOT, `${engine}-${STUDIES}`);
  const infoFile = `${dataDir}.json`;
  const schema = `bench_pages_${STUDIES}`;
  const open = () => openDatabase({ dataDir, ...(engine === 'postgres' ? { databaseUrl: PG_URL, pgSchema: schema } : {}) });
  let info = existsSync(infoFile) ? JSON.parse(readFileSync(infoFile, 'utf8')) : null;
  if (process.env.OPENREM_BENCH_FRESH || !info || info.studies !== STUDIES) {
    rmSync(dataDir, { recursive: true, force: true });
    if (engine === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
    mkdirSync(dataDir, { recursive: true });
    const db = await open();
    await saveSettings(db.kysely, DEMO_SETTINGS);
    const today = new Date();
    const started = performance.now();
    let shown = 0;
    await writeDemoStudies(db, {
      from: 0,
      count: STUDIES,
      seed: SEED,
      today,
      days: DAYS,
      settings: DEMO_SETTINGS,
      batchSize: 1000,
      onProgress: (n) => {
        if (n - shown >= STUDIES / 20) {
          shown = n;
          process.stderr.write(`  ${engine}: ${n} studies, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    // What a production database's autovacuum (or `openrem migrate`) leaves: fresh statistics.
    await sql.raw(engine === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db.kysely);
    await db.close();
    info = { studies: STUDIES, seconds, built: today.toISOString() };
    writeFileSync(infoFile, JSON.stringify(info));
  }
  const db = await open();
  const bytes = engine === 'postgres' ? await pgSize(schema) : folderSize(dataDir);
  return { db, info, bytes };
}

async function timePage(app, cookie, url) {
  const times = [];
  for (let i = 0; i <= REPEATS; i++) {
    const t = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { cookie } });
    const ms = performance.now() - t;
    if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

export async function benchPages(engines) {
  const { buildApp, createUser, createSession, SESSION_COOKIE } = await dist();
  const tables = [];
  for (const engine of engines) {
    const { db, info, bytes } = await benchDatabase(engine);
    try {
      const app = await buildApp({ db, config: { dataDir: join(ROOT, `${engine}-${STUDIES}`), databaseUrl: undefined, pgSchema: undefined } });
      const user = await createUser(db.kysely, { username: `bench-${Date.now().toString(36)}`, password: 'amber-lantern-quietly-77', roles: ['view'] });
      const cookie = `${SESSION_COOKIE}=${(await createSession(db.kysely, user.id)).token}`;
      const pick = async (modality) =>
        (await db.kysely.selectFrom('study').select('id').where('modality', '=', modality).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).id;
      const pages = [...listPages(new Date(info.built)), ['CT study page', `/studies/${await pick('CT')}`], ['RF study page', `/studies/${await pick('RF')}`]];
      const rows = [];
      for (const [page, url] of pages) {
        const t = await timePage(app, cookie, url);
        rows.push({ engine, page, url, medianMs: t.median, p95Ms: t.p95 });
      }
      const lists = rows.filter((r) => r.page !== 'home' && !r.page.includes('study page')).map((r) => r.medianMs).sort((a, b) => a - b);
      rows.push({ engine, page: 'all list pages above: median of medians', url: '', medianMs: quantile(lists, 0.5), p95Ms: null });
      rows.push({ engine, page: `database: ${info.studies} studies, built in ${(info.seconds / 60).toFixed(1)} min, ${(bytes / 2 ** 30).toFixed(2)} GiB`, url: '', medianMs: null, p95Ms: null });
      tables.push(rows);
      await app.close();
    } finally {
      await db.close();
    }
  }
  return tables;
}
