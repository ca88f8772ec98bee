#!/usr/bin/env node
// Benchmarks (not tests): `npm run bench [name...]`. Prints a table per benchmark; the
// figures recorded in BENCHMARKS.md come from this command.
import { spawnSync } from 'node:child_process';
import { benchExport } from '../bench/export.mjs';
import { benchImageHeaders } from '../bench/image-headers.mjs';
import { benchImport } from '../bench/import.mjs';
import { benchPages } from '../bench/pages.mjs';
import { benchPtsize } from '../bench/ptsize.mjs';

spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const engines = (process.env.OPENREM_TEST_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim());
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

function table(rows) {
  const keys = Object.keys(rows[0] ?? {});
  const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1)) : v === null ? '' : String(v));
  console.log(`| ${keys.join(' | ')} |\n|${keys.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${keys.map((k) => fmt(r[k])).join(' | ')} |`);
}

console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, engines: ${engines.join(', ')}`);
if (want('import')) {
  console.log('\n## import throughput (openrem import DIR, empty database)');
  table(await benchImport(engines));
}
if (want('image-headers')) {
  console.log('\n## image headers: read and extract a mammogram padded with pixel data (50 rounds each, fresh process per size)');
  table(benchImageHeaders());
}
if (want('pages')) {
  console.log('\n## page timings (ms, app.inject with a signed-in session, database of made-up studies)');
  for (const rows of await benchPages(engines)) table(rows);
}
if (want('ptsize')) {
  console.log('\n## patient size import of a million-row CSV (database included, fresh process per engine)');
  table(benchPtsize(engines));
}
if (want('export')) {
  console.log('\n## export of every CT study to XLSX and CSV as the export task runs it (fresh process per format and engine)');
  table(benchExport(engines));
}
