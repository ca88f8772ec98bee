// The NHSBSP dose audit numbers its patients 1, 2, 3… over the studies it holds: a study whose
// exposures are all left out (here a stereotactic image) takes no number, wherever it comes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listExportKindFor } from '../../src/export/kinds.js';
import { exportsDir } from '../../src/export/paths.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { importCorpus } from '../web/fixtures.js';
import { parseCsv, runExport } from './helpers.js';

describe.each(ENGINES)('NHSBSP patient numbers on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(engine);
    // Export order is import order: the study that is left out comes first.
    await importCorpus(t.db, ['MG-Im-GE_Seno_2_ForPresentation.dcm', 'MG-RDSR-Hologic_2D.dcm']);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('starts at 1 after a study with no audit row, and counts only the studies in the audit', async () => {
    const task = await runExport(t.db, t.dataDir, listExportKindFor('MG'), { format: 'nhsbsp', pid: false, filter: {} }, { id: null, name: 'tester' });
    const result = JSON.parse(task.result!) as { file: string; studies: number };
    expect(result.studies).toBe(1);
    const rows = parseCsv(readFileSync(join(exportsDir(t.dataDir), result.file), 'utf8')).slice(4);
    expect(rows.map((r) => [r[1], r[2]])).toEqual([
      ['1', 'LCC'],
      ['1', 'RCC'],
    ]);
    expect(task.message).toBe('2 of 2 studies read, 1 in the audit');
  });
});
