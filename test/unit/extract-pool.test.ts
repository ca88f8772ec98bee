// Reading and extracting in worker threads gives exactly what the main thread gives, for every
// kind of file an import meets; and a worker that fails or stops costs nothing: its files are
// read on the main thread. Workers run the built code (npm test builds before testing).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseImportThreads } from '../../src/config.js';
import { ExtractPool } from '../../src/ingest/extract-pool.js';
import { readAndExtract, type FileReading } from '../../src/ingest/read-extract.js';
import { corpusBytes, CORPUS, PROJECT_ROOT } from '../helpers/corpus.js';

const BUILT_WORKER = pathToFileURL(join(PROJECT_ROOT, 'dist', 'ingest', 'extract-worker.js'));
const work = mkdtempSync(join(tmpdir(), 'openrem-pool-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cut = join(work, 'cut.dcm');
writeFileSync(cut, corpusBytes('RF-RDSR-Siemens-Zee.dcm').subarray(0, 9000));
const text = join(work, 'notes.txt');
writeFileSync(text, 'not a DICOM file\n');
const FILES = [...readdirSync(CORPUS).sort().map((f) => join(CORPUS, f)), cut, text, join(work, 'missing.dcm')];

async function inMainThread(files: string[]): Promise<FileReading[]> {
  const out: FileReading[] = [];
  for (const f of files) out.push(await readAndExtract(f));
  return out;
}

function startPool(opts: { size: number; script: URL }): ExtractPool {
  const pool = ExtractPool.start(opts);
  if (!pool) throw new Error(`no worker script at ${opts.script.pathname}: run npm run build first`);
  return pool;
}

describe('the extract pool', () => {
  it('runs the built worker', () => {
    expect(existsSync(BUILT_WORKER), 'npm run build').toBe(true);
  });

  it('reads every corpus file, a cut file, a text file and a missing file as the main thread does', async () => {
    const expected = await inMainThread(FILES);
    // Every kind of outcome is in the set.
    expect(new Set(expected.map((r) => r.status))).toEqual(new Set(['report', 'not-dose', 'failed']));
    const pool = startPool({ size: 2, script: BUILT_WORKER });
    try {
      expect(pool.size).toBe(2);
      expect(await Promise.all(FILES.map((f) => pool.extract(f)))).toEqual(expected);
    } finally {
      await pool.close();
    }
  });

  it('reads the files of a worker that stops, and of one that answers with an error, on the main thread', async () => {
    const files = FILES.slice(0, 12);
    const expected = await inMainThread(files);
    // A worker that answers its first request with an error and stops at its second.
    const failing = join(work, 'failing-worker.mjs');
    writeFileSync(
      failing,
      `import { parentPort } from 'node:worker_threads';
let n = 0;
parentPort.on('message', ({ id }) => {
  if (n++ === 0) parentPort.postMessage({ id, error: 'made to fail' });
  else process.exit(3);
});
`,
    );
    const pool = startPool({ size: 2, script: pathToFileURL(failing) });
    try {
      expect(await Promise.all(files.map((f) => pool.extract(f)))).toEqual(expected);
      // Once a worker is lost, later files are read here too.
      expect(await pool.extract(files[0]!)).toEqual(expected[0]);
    } finally {
      await pool.close();
    }
  });

  it('is not started without a worker script or with no threads', () => {
    expect(ExtractPool.start({ size: 0, script: BUILT_WORKER })).toBeNull();
    expect(ExtractPool.start({ size: 2, script: pathToFileURL(join(work, 'none.js')) })).toBeNull();
  });

  it('takes its size from OPENREM_IMPORT_THREADS', () => {
    expect(parseImportThreads(undefined)).toBeUndefined();
    expect(parseImportThreads(' ')).toBeUndefined();
    expect(parseImportThreads('0')).toBe(0);
    expect(parseImportThreads(' 3 ')).toBe(3);
    expect(() => parseImportThreads('-1')).toThrow('OPENREM_IMPORT_THREADS must be a whole number from 0 to 64 (0: no worker threads); "-1" is not');
    expect(() => parseImportThreads('65')).toThrow(/"65" is not/);
    expect(() => parseImportThreads('two')).toThrow(/"two" is not/);
  });
});
