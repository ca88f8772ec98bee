// Stopping `openrem import` (SIGTERM from a service manager, Ctrl+C at a terminal): the run
// ends after the file being stored, every file committed is reported, the summary says what
// was not read and the exit code says how it ended; the same command again imports the rest.
// A dump of what was stored, piped to a reader that stops early, ends without an error.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCopies } from '../../bench/copies.mjs';
import { corpusFile, PROJECT_ROOT } from '../helpers/corpus.js';
import { openrem } from '../helpers/cli.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';

const COPIES = 2000;
const dir = mkdtempSync(join(tmpdir(), 'openrem-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs an import and sends `signal` once the first file is reported. */
function importUntil(signal: NodeJS.Signals, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', ...env };
  if (!env.DATABASE_URL) delete fullEnv.DATABASE_URL;
  const proc = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'openrem.js'), 'import', dir], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (!sent && /^imported: /m.test(stdout)) {
      sent = true;
      proc.kill(signal);
    }
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe.each(ENGINES)('stopping an import on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(engine);
    makeCopies(corpusFile('CT-RDSR-Siemens_Flash-TAP-SS.dcm'), dir, COPIES, 'ct');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const storedCount = () => openrem(['studies', '--json'], t.env).stdout.trim().split('\n').filter(Boolean).length;

  it('reports every committed file, says what was not read, and the next run imports the rest', async () => {
    const stopped = await importUntil('SIGTERM', t.env);
    expect(stopped.code).toBe(143);
    const reported = stopped.stdout.match(/^imported: /gm)?.length ?? 0;
    expect(reported).toBeGreaterThan(0);
    expect(reported).toBeLessThan(COPIES);
    expect(stopped.stderr).toContain(`stopped (SIGTERM): ${COPIES - reported} of ${COPIES} files not read; the same command again imports them`);
    // Nothing committed goes unreported.
    expect(storedCount()).toBe(reported);

    const interrupted = await importUntil('SIGINT', t.env);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/stopped \(Ctrl\+C\): \d+ of 2000 files not read/);

    const rest = openrem(['import', dir], t.env);
    expect(rest.status).toBe(0);
    const imported = rest.stdout.match(/^imported: /gm)?.length ?? 0;
    const duplicates = rest.stdout.match(/^duplicate skipped: /gm)?.length ?? 0;
    expect(imported + duplicates).toBe(COPIES);
    expect(storedCount()).toBe(COPIES);

    // A reader that stops early closes the pipe: the dump ends there, quietly and successfully.
    const fullEnv: NodeJS.ProcessEnv = { ...process.env, ...t.env };
    if (!t.env.DATABASE_URL) delete fullEnv.DATABASE_URL;
    const head = spawnSync('bash', ['-c', `"${process.execPath}" "${join(PROJECT_ROOT, 'bin', 'openrem.js')}" studies --json | head -c 100 >/dev/null; echo "exit \${PIPESTATUS[0]}"`], { env: fullEnv, encoding: 'utf8' });
    expect(head.stderr).toBe('');
    expect(head.stdout).toBe('exit 0\n');
  });
});
