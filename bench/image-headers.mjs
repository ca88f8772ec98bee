// Image-header reading cost must not depend on the size of the pixel data: a real
// mammography header is padded with pixel data of growing size (1 MB to 200 MB) and read
// through the importer's reading and extraction path, each size in a fresh process.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SOURCE = resolve('..', 'shared', 'corpus', 'dicom', 'MG-Im-GE-SenDS-scaled.dcm');
const SIZES_MB = [1, 10, 50, 200];

/** The header of the source (everything before its top-level pixel data) followed by `bytes` of pixel data. */
function writeImage(file, bytes) {
  const src = readFileSync(SOURCE);
  // Top-level (7FE0,0010) OW: the last occurrence of its tag followed by VR "OW".
  const tag = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]);
  const at = src.lastIndexOf(tag);
  if (at < 0) throw new Error('no top-level pixel data in the source file');
  const header = Buffer.alloc(12);
  tag.copy(header, 0);
  header.writeUInt32LE(bytes, 8);
  const fd = openSync(file, 'w');
  writeSync(fd, src.subarray(0, at));
  writeSync(fd, header);
  const chunk = Buffer.alloc(1 << 20, 0x3f);
  for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
  closeSync(fd);
}

const CHILD = `
import { readDicomFile } from './dist/dicom/read.js';
import { extractFromDataset } from './dist/extract/index.js';
const file = process.argv[1];
const rounds = 50;
let outcome, bytesRead, fileSize;
const t = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) {
  const parsed = await readDicomFile(file);
  outcome = extractFromDataset(parsed).status;
  bytesRead = parsed.bytesRead;
  fileSize = parsed.fileSize;
}
const ms = Number(process.hrtime.bigint() - t) / 1e6 / rounds;
console.log(JSON.stringify({ ms, bytesRead, fileSize, outcome, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

export function benchImageHeaders() {
  const dir = mkdtempSync(join(tmpdir(), 'openrem-bench-img-'));
  const rows = [];
  try {
    for (const mb of SIZES_MB) {
      const file = join(dir, `mg-${mb}mb.dcm`);
      writeImage(file, mb * 1024 * 1024);
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      const s = JSON.parse(r.stdout.trim());
      rows.push({ fileMb: mb, msPerFile: s.ms, bytesRead: s.bytesRead, outcome: s.outcome, maxRssMb: s.maxRssMb });
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
