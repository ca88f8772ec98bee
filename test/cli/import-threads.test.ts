// `openrem import` of a whole folder reads and extracts in worker threads: what it prints and
// what it stores are exactly what the same import on one thread prints and stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/corpus.js';
import { openrem } from '../helpers/cli.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

function storedStudies(env: Record<string, string>): unknown[] {
  const r = openrem(['studies', '--json'], env);
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => {
      const { createdAt: _createdAt, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

/** The result lines without the summary's duration. */
function resultLines(stdout: string): string[] {
  return stdout.trim().split('\n').map((l) => l.replace(/ \(\d+\.\d s\)$/, ''));
}

for (const engine of ENGINES) {
  describe(`importing the corpus folder with and without worker threads (${engine})`, () => {
    let threaded: TestDb;
    let single: TestDb;
    beforeAll(async () => {
      threaded = await createTestDb(engine);
      single = await createTestDb(engine);
    });
    afterAll(async () => {
      await threaded?.cleanup();
      await single?.cleanup();
    });

    it('prints and stores the same', () => {
      const withThreads = openrem(['import', CORPUS], { ...threaded.env, OPENREM_IMPORT_THREADS: '2' });
      const alone = openrem(['import', CORPUS], { ...single.env, OPENREM_IMPORT_THREADS: '0' });
      expect(withThreads.status).toBe(alone.status);
      expect(resultLines(withThreads.stdout)).toEqual(resultLines(alone.stdout));
      expect(withThreads.stdout).toMatch(/^\d+ file\(s\): [1-9]\d* imported, [1-9]\d* merged into existing studies/m);
      const studies = storedStudies(threaded.env);
      expect(studies.length).toBeGreaterThan(30);
      expect(studies).toEqual(storedStudies(single.env));
    });

    it('refuses a thread count that is not a number', () => {
      const r = openrem(['import', CORPUS], { ...single.env, OPENREM_IMPORT_THREADS: 'many' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('OPENREM_IMPORT_THREADS must be a whole number from 0 to 64 (0: no worker threads); "many" is not');
    });
  });
}
