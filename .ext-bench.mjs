import { readFileSync } from 'node:fs';
import { parseDicom } from './dist/dicom/read.js';
import { extractFromDataset } from './dist/extract/index.js';
const files = process.argv.slice(2);
const bufs = files.map((f) => new Uint8Array(readFileSync(f)));
const N = 3000;
for (const [i, b] of bufs.entries()) {
  for (let k = 0; k < 300; k++) extractFromDataset(parseDicom(b));
  let t0 = process.hrtime.bigint();
  for (let k = 0; k < N; k++) parseDicom(b);
  let t1 = process.hrtime.bigint();
  for (let k = 0; k < N; k++) extractFromDataset(parseDicom(b));
  let t2 = process.hrtime.bigint();
  const parse = Number(t1 - t0) / 1e6 / N, both = Number(t2 - t1) / 1e6 / N;
  console.log(files[i].split('/').pop(), 'parse', parse.toFixed(3), 'extract', (both - parse).toFixed(3), 'ms');
}
