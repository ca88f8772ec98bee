// The command-line contract, driven through the built command on each database engine.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusBytes, corpusFile, CORPUS, PROJECT_ROOT } from '../helpers/corpus.js';
import { openrem, type CliResult } from '../helpers/cli.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

/** An account without special rights, for whom a folder without permissions really is unreadable. */
const NOBODY = 65534;

/**
 * `openrem ARGS` as a user to whom file permissions apply: as "nobody" when the tests run as
 * root (root reads every folder), else as the user running the tests.
 */
function openremUnprivileged(args: string[], env: Record<string, string>): CliResult {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', ...env };
  if (!env.DATABASE_URL) delete fullEnv.DATABASE_URL;
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'openrem.js'), ...args], { env: fullEnv, encoding: 'utf8', maxBuffer: 1 << 26, ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

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

  it('says a PostgreSQL server it cannot reach cannot be connected to, not that a migration failed', () => {
    // Port 1 has no PostgreSQL on any machine this runs on.
    const r = openrem(['studies', '--json'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^cannot open the PostgreSQL database named by DATABASE_URL: cannot connect: connect ECONNREFUSED 127\.0\.0\.1:1\n$/);
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

  it('refuses arguments a command does not take, naming them, before touching any data', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'openrem-usage-')), 'data');
    const cases: [string[], string][] = [
      [['migrate', 'extra'], 'openrem migrate: unexpected argument "extra"'],
      [['migrate', '--force'], 'openrem migrate: unknown option --force'],
      [['extract', corpusFile('CT-RDSR-GEPixelMed.dcm')], 'openrem extract: --json is required'],
      [['extract', '--json', '--pretty', 'x.dcm'], 'openrem extract: unknown option --pretty'],
      [['studies', '--json', 'extra'], 'openrem studies: unexpected argument "extra"'],
      [['settings', 'show', 'extra'], 'openrem settings: unexpected argument "extra"'],
      [['settings', 'load', 'a.json', 'b.json'], 'openrem settings: unexpected argument "b.json"'],
      [['settings', 'reload'], 'openrem settings: unknown action "reload"'],
      [['import', '--retry-quarantine', 'x.dcm'], 'openrem import: unexpected argument "x.dcm"'],
      [['import', '--recursive', 'x.dcm'], 'openrem import: unknown option --recursive'],
      [['users', 'list', 'extra'], 'openrem users: unexpected argument "extra"'],
      [['users', 'deactivate', 'ann', 'bob'], 'openrem users: unexpected argument "bob"'],
      [['ptsize', 'f.csv', 'Acc', 'H', 'W', 'extra'], 'openrem ptsize: unexpected argument "extra"'],
      [['demo', 'extra'], 'openrem demo: unexpected argument "extra"'],
      [['serve', 'extra'], 'openrem serve: unexpected argument "extra"'],
      [['worker', 'extra'], 'openrem worker: unexpected argument "extra"'],
    ];
    for (const [args, message] of cases) {
      const r = openrem(args, { OPENREM_DATA_DIR: dataDir });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    expect(existsSync(dataDir)).toBe(false);
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
      // A pattern whose files an earlier argument already gave matched: nothing is read twice, nothing fails.
      const both = openrem(['import', dir, join(dir, '*.dcm')], t.env);
      expect(both.status).toBe(1);
      expect(both.stdout).not.toContain('no files match');
      expect(both.stdout).toMatch(/^3 file\(s\): 0 imported, 0 merged into existing studies, 2 duplicate\(s\) skipped, 0 not dose objects, 1 failed/m);
      // A pipe is refused rather than waited on.
      const pipe = join(t.dataDir, 'pipe.dcm');
      expect(spawnSync('mkfifo', [pipe]).status).toBe(0);
      const fifo = openrem(['import', pipe], t.env);
      expect(fifo.status).toBe(1);
      expect(fifo.stdout).toContain(`failed: ${pipe} (not a regular file (a pipe, socket or device))`);
    });

    it('imports what it can read of a folder: an unreadable subfolder or link is a failure with its reason', () => {
      const top = mkdtempSync(join(tmpdir(), 'openrem-folder-'));
      try {
        const dir = join(top, 'incoming');
        mkdirSync(join(dir, 'locked'), { recursive: true });
        mkdirSync(join(top, 'elsewhere'));
        copyFileSync(corpusFile('CT-RDSR-Siemens-Continued-1.dcm'), join(dir, 'ok.dcm'));
        copyFileSync(corpusFile('DX-RDSR-Canon_CXDI.dcm'), join(dir, 'locked', 'hidden.dcm'));
        copyFileSync(corpusFile('RF-RDSR-Siemens-Zee.dcm'), join(top, 'elsewhere', 'linked.dcm'));
        // Links are followed: to a file elsewhere, to a folder, to the folder itself (a loop), to nothing.
        symlinkSync(join(top, 'elsewhere', 'linked.dcm'), join(dir, 'link-to-file.dcm'));
        symlinkSync(join(top, 'elsewhere'), join(dir, 'link-to-folder'));
        symlinkSync(dir, join(dir, 'loop'));
        symlinkSync(join(top, 'gone.dcm'), join(dir, 'dangling.dcm'));
        const data = join(top, 'data');
        mkdirSync(data);
        chmodSync(top, 0o755);
        chmodSync(data, 0o777);
        chmodSync(join(dir, 'locked'), 0o000);
        const r = openremUnprivileged(['import', dir], { ...t.env, OPENREM_DATA_DIR: data });
        expect(r.stderr).not.toMatch(/EACCES|scandir|at .+\(.+:\d+:\d+\)/);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain(`failed: ${join(dir, 'locked')} (cannot read folder: permission denied)`);
        expect(r.stdout).toContain(`failed: ${join(dir, 'dangling.dcm')} (symbolic link whose target cannot be read: not found)`);
        expect(r.stdout).toMatch(new RegExp(`^imported: ${join(dir, 'ok.dcm')} \\(CT, imported as study \\d+\\)`, 'm'));
        // The linked file is read once, through the first link met in name order; the loop ends.
        expect(r.stdout).toMatch(new RegExp(`^imported: ${join(dir, 'link-to-file.dcm')} \\(RF, `, 'm'));
        expect(r.stdout).not.toContain(join(dir, 'link-to-folder', 'linked.dcm'));
        expect(r.stdout).toMatch(/^4 file\(s\): 2 imported, 0 merged into existing studies, 0 duplicate\(s\) skipped, 0 not dose objects, 2 failed/m);
        // A pattern searching every folder below follows the same links and ends the same loop.
        const glob = openremUnprivileged(['import', join(dir, '**', '*.dcm')], { ...t.env, OPENREM_DATA_DIR: data });
        expect(glob.status).toBe(1);
        expect(glob.stdout).toContain(`failed: ${join(dir, 'locked')} (cannot read folder: permission denied)`);
        expect(glob.stdout).toMatch(/^4 file\(s\): 0 imported, 0 merged into existing studies, 2 duplicate\(s\) skipped, 0 not dose objects, 2 failed/m);
      } finally {
        chmodSync(join(top, 'incoming', 'locked'), 0o755);
        rmSync(top, { recursive: true, force: true });
      }
    });

    it('refuses a dose report cut short in plain words, and then stores the complete copy whole', () => {
      // A data folder of its own: the quarantine it fills is checked by the other tests.
      const env = { ...t.env, OPENREM_DATA_DIR: mkdtempSync(join(tmpdir(), 'openrem-cut-')) };
      const cut = join(env.OPENREM_DATA_DIR, 't.dcm');
      writeFileSync(cut, corpusBytes('CT-RDSR-Siemens_Flash-QA-DS.dcm').subarray(0, 5000));
      const r = openrem(['import', cut], env);
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^failed: .*t\.dcm \(truncated: the file ends inside the report content \(0040,A730\) at byte 5000, kept in quarantine as /m);
      expect(r.stdout + r.stderr).not.toMatch(/dicomParser|maxP ?osition/);
      const complete = openrem(['import', corpusFile('CT-RDSR-Siemens_Flash-QA-DS.dcm')], env);
      expect(complete.status).toBe(0);
      const id = Number(/^imported: .*CT-RDSR-Siemens_Flash-QA-DS\.dcm \(CT, imported as study (\d+)\)/m.exec(complete.stdout)?.[1]);
      const stored = openrem(['studies', '--json'], env)
        .stdout.trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((s) => s.id === id);
      expect(stored.modality).toBe('CT');
      expect(stored.ct.events).toHaveLength(9);
      rmSync(env.OPENREM_DATA_DIR, { recursive: true, force: true });
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
      // Cut short inside its header: refused.
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
