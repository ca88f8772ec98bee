// SQLite keeps no planner statistics unless asked (PostgreSQL's autovacuum gathers its own):
// the database gathers them for the study table's indexes, without ever waiting for another
// process's write to do so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { importFiles } from '../../src/ingest/import-file.js';
import { DEFAULT_SETTINGS } from '../../src/settings/site.js';
import { corpusFile } from '../helpers/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'openrem-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function statisticsOf(table: string): { idx: string | null; stat: string }[] {
  const native = new SQLite(join(dir, 'openrem.sqlite3'), { readonly: true });
  try {
    const exists = native.prepare("select count(*) as n from sqlite_master where name = 'sqlite_stat1'").get() as { n: number };
    return exists.n ? (native.prepare('select idx, stat from sqlite_stat1 where tbl = ?').all(table) as { idx: string | null; stat: string }[]) : [];
  } finally {
    native.close();
  }
}

describe('planner statistics on SQLite', () => {
  it('are gathered for the study indexes once studies are stored, by the time the database is closed', async () => {
    const db = await openDatabase({ dataDir: dir });
    const files = ['CT-RDSR-Siemens_Flash-TAP-SS.dcm', 'CT-RDSR-Siemens_Flash-QA-DS.dcm', 'RF-RDSR-Siemens-Zee.dcm', 'MG-RDSR-Hologic_2D.dcm'].map(corpusFile);
    await importFiles(db, DEFAULT_SETTINGS, files, {}, () => undefined);
    await db.close();
    const stats = statisticsOf('study');
    // "rows rows-per-key…" for each of the study table's indexes, from its 4 studies.
    expect(stats.find((s) => s.idx === 'study_modality_equipment_date_idx')?.stat).toMatch(/^4 /);
    expect(stats.length).toBeGreaterThan(5);
  });

  it('opens without waiting while another process holds the write lock', async () => {
    const other = new SQLite(join(dir, 'openrem.sqlite3'));
    // A table never analysed, so opening wants to write its statistics.
    other.exec('create table scratch (a integer); create index scratch_a on scratch (a)');
    other.exec(`insert into scratch (a) values ${Array.from({ length: 500 }, (_, i) => `(${i % 9})`).join(', ')}`);
    other.exec('begin immediate');
    try {
      const started = Date.now();
      const db = await openDatabase({ dataDir: dir });
      expect(Date.now() - started).toBeLessThan(2000);
      await db.close();
    } finally {
      other.exec('rollback');
      other.close();
    }
  });
});
