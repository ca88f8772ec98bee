// The command-line contract, driven through the built command on each database engine.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile, CORPUS } from '../helpers/corpus.js';
import { openrem } from '../helpers/cli.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

describe('openrem without a database', () => {
  it('prints help and usage errors with the contract exit codes', () => {
    const help = openrem(['--help'], {});
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/import .*\n.*extract/s);
    expect(openrem([], {}).status).toBe(2);
    const unknown = openrem(['frobnicate'], {});
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(openrem(['import'], {}).status).toBe(2);
    expect(openrem(['studies'], {}).status).toBe(2);
  });

  it('extracts without storing: one JSON line per file', () => {
    const r = openrem(['extract', '--json', corpusFile('CT-RDSR-Siemens_Flash-TAP-SS.dcm'), corpusFile('ESR_non-dose.dcm')], {});
    expect(r.status).toBe(0);
    const [ct, esr] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(ct.ok).toBe(true);
    expect(ct.report.ct.totalDlpMGyCm).toBe(724.52);
    expect(ct.report.ct.events[3].meanCtdiVolMGy).toBe(9.91);
    // Identifiers appear as found in the file.
    expect(ct.report.patient.name).toBe('SMITH^JOHN');
    expect(esr.ok).toBe(false);
    expect(esr.error).toMatch(/not a radiation dose structured report/);
  });

  it('rejects a DATABASE_URL that is not PostgreSQL with one clear line', () => {
    const r = openrem(['studies', '--json'], { DATABASE_URL: 'mysql://x@y/z' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('DATABASE_URL must start with postgres://');
  });
});

for (const engine of ENGINES) {
  describe(`openrem commands (${engine})`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('imports, skips duplicates, reports failures and keeps going', () => {
      const first = openrem(['import', corpusFile('CT-RDSR-Siemens_Flash-TAP-SS.dcm')], t.env);
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/^imported: .*CT-RDSR-Siemens_Flash-TAP-SS\.dcm \(CT, imported as study \d+\)/m);
      const again = openrem(['import', corpusFile('CT-RDSR-Siemens_Flash-TAP-SS.dcm'), join(CORPUS, 'no-such-file.dcm'), corpusFile('ESR_non-dose.dcm')], t.env);
      expect(again.status).toBe(1);
      expect(again.stdout).toMatch(/^duplicate skipped: .*TAP-SS/m);
      expect(again.stdout).toMatch(/^failed: .*no-such-file\.dcm \(file not found\)/m);
      expect(again.stdout).toMatch(/^not a dose object: .*ESR_non-dose\.dcm/m);
      expect(again.stdout).toMatch(/3 file\(s\): 0 imported, 0 merged into existing studies, 1 duplicate\(s\) skipped, 1 not dose objects, 1 failed/);

      const studies = openrem(['studies', '--json'], t.env);
      expect(studies.status).toBe(0);
      const lines = studies.stdout.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(1);
      expect(lines[0].summary.totalDlpMGyCm).toBe(724.52);
      expect(lines[0].patient.name).toBeNull();
    });

    it('imports directories and glob patterns', () => {
      const dir = join(t.dataDir, 'incoming');
      mkdirSync(join(dir, 'sub'), { recursive: true });
      copyFileSync(corpusFile('CT-RDSR-Siemens-Multi-1.dcm'), join(dir, 'a.dcm'));
      copyFileSync(corpusFile('CT-RDSR-Siemens-Multi-2.dcm'), join(dir, 'sub', 'b.dcm'));
      writeFileSync(join(dir, 'README.txt'), 'not dicom');
      const r = openrem(['import', dir], t.env);
      expect(r.stdout).toMatch(/^imported: .*a\.dcm/m);
      expect(r.stdout).toMatch(/^imported: .*b\.dcm .*merged into study/m);
      expect(r.stdout).toMatch(/^failed: .*README\.txt \(not a DICOM file/m);
      const glob = openrem(['import', join(dir, '**', '*.dcm')], t.env);
      expect(glob.stdout.match(/^duplicate skipped/gm)).toHaveLength(2);
      expect(openrem(['import', join(dir, 'none-*.dcm')], t.env).stdout).toMatch(/no files match this pattern/);
    });

    it('loads and shows settings, refusing bad ones with the key named', () => {
      const bad = join(t.dataDir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ patientId: { storePatientName: 'yes' } }));
      const r = openrem(['settings', 'load', bad], t.env);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/patientId\.storePatientName/);
      const notJson = join(t.dataDir, 'not.json');
      writeFileSync(notJson, '{ nope');
      expect(openrem(['settings', 'load', notJson], t.env).stderr).toMatch(/not valid JSON/);

      const good = join(t.dataDir, 'good.json');
      writeFileSync(good, JSON.stringify({ patientId: { storePatientName: true }, notPatientNamePatterns: ['*phys*'] }));
      expect(openrem(['settings', 'load', good], t.env).status).toBe(0);
      const shown = JSON.parse(openrem(['settings', 'show'], t.env).stdout);
      expect(shown.patientId.storePatientName).toBe(true);
      expect(shown.patientId.storePatientId).toBe(false);
      expect(shown.notPatientNamePatterns).toEqual(['*phys*']);
    });

    it('deletes sources after import when configured, and quarantines failures with their reason', () => {
      const settings = join(t.dataDir, 'delete.json');
      writeFileSync(settings, JSON.stringify({ deleteAfterImport: { rdsr: true } }));
      expect(openrem(['settings', 'load', settings], t.env).status).toBe(0);
      const incoming = join(t.dataDir, 'store');
      mkdirSync(incoming, { recursive: true });
      const good = join(incoming, 'good.dcm');
      copyFileSync(corpusFile('CT-RDSR-ToshibaPixelMed.dcm'), good);
      // The header without the content tree: recognised as a CT RDSR, but it names no study.
      const broken = join(incoming, 'broken.dcm');
      writeFileSync(broken, readFileSync(corpusFile('CT-RDSR-ToshibaPixelMed.dcm')).subarray(0, 700));
      const r = openrem(['import', incoming], t.env);
      expect(r.stdout).toMatch(/^imported: .*good\.dcm .*source deleted/m);
      expect(existsSync(good)).toBe(false);
      expect(r.stdout).toMatch(/^failed: .*broken\.dcm .*kept in quarantine as /m);
      expect(existsSync(broken)).toBe(false);
      const qdir = join(t.dataDir, 'quarantine');
      const kept = readdirSync(qdir, { recursive: true }).map(String);
      const note = kept.find((f) => f.endsWith('broken.dcm.reason.json'))!;
      const parsed = JSON.parse(readFileSync(join(qdir, note), 'utf8'));
      expect(parsed.originalPath).toBe(broken);
      expect(parsed.reason.length).toBeGreaterThan(0);
      expect(parsed.attempts).toBe(1);

      // Still failing on retry: kept, with the attempt counted. A repaired file leaves the quarantine.
      const retry = openrem(['import', '--retry-quarantine'], t.env);
      expect(retry.status).toBe(1);
      expect(JSON.parse(readFileSync(join(qdir, note), 'utf8')).attempts).toBe(2);
      const quarantined = join(qdir, note.replace(/\.reason\.json$/, ''));
      copyFileSync(corpusFile('CT-RDSR-GEPixelMed.dcm'), quarantined);
      const repaired = openrem(['import', '--retry-quarantine'], t.env);
      expect(repaired.status).toBe(0);
      expect(repaired.stdout).toMatch(/^imported: /m);
      expect(existsSync(quarantined)).toBe(false);
      expect(existsSync(join(qdir, note))).toBe(false);
    });
  });
}
