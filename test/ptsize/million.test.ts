// A million-row size CSV is read as a stream: every row arrives, in order, with progress, and
// memory stays flat (a file held in memory would add well over the limit checked here). The
// whole import of such a file, database included, is measured by `npm run bench ptsize`.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, expect, it } from 'vitest';
import { readLayout, readRecords } from '../../src/ptsize/read-csv.js';
import { BATCH_ROWS } from '../../src/ptsize/run-import.js';

const ROWS = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'openrem-million-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeMillionRows(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('\ufeffAccession;Patient height;Patient weight;Comment\r\n');
  for (let i = 1; i <= ROWS; i++) {
    const line = `ACC${String(i).padStart(9, '0')};${150 + (i % 50)};${(50 + (i % 70)) / 1},${i % 10};"row ${i}; ok"\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

it('reads a million rows in constant memory, in order, with progress', async () => {
  const path = join(dir, 'million.csv');
  await writeMillionRows(path);
  const bytes = statSync(path).size;
  expect(bytes).toBeGreaterThan(40e6);
  const layout = await readLayout(path);
  expect(layout.encoding.label).toBe('UTF-8 with byte-order mark');
  expect(layout.delimiter).toBe(';');
  expect(layout.columns).toEqual(['Accession', 'Patient height', 'Patient weight', 'Comment']);

  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let rows = 0;
  let lastRow = 1;
  let lastBytes = 0;
  let batches = 0;
  for await (const batch of readRecords(path, layout, BATCH_ROWS)) {
    batches++;
    expect(batch.records.length).toBeLessThanOrEqual(BATCH_ROWS);
    for (const r of batch.records) {
      if (r.row !== lastRow + 1) throw new Error(`row ${r.row} after ${lastRow}`);
      lastRow = r.row;
    }
    rows += batch.records.length;
    expect(batch.bytesRead).toBeGreaterThanOrEqual(lastBytes);
    lastBytes = batch.bytesRead;
    if (batches % 100 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  expect(rows).toBe(ROWS);
  expect(lastRow).toBe(ROWS + 1);
  expect(lastBytes).toBe(bytes);
  expect(batches).toBe(ROWS / BATCH_ROWS);
  // The rows as strings would take several times the file's 40+ MB; streaming keeps the heap
  // within a few chunks and batches of that.
  expect(peak - before).toBeLessThan(32e6);
});
