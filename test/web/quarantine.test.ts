// The quarantine page on each engine: failed files listed with their reason, retried as a
// background task, deleted (audited) one at a time, and names that would reach outside the
// quarantine folder refused.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../src/config.js';
import { noteFileFor, quarantine } from '../../src/ingest/file-disposition.js';
import { importFile } from '../../src/ingest/import-file.js';
import { retryQuarantineTask } from '../../src/ingest/quarantine-task.js';
import { readNote } from '../../src/ingest/retry-quarantine.js';
import { loadSettings } from '../../src/settings/store.js';
import { TaskRegistry } from '../../src/tasks/kind.js';
import { listTasks } from '../../src/tasks/queue.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { buildApp } from '../../src/web/app.js';
import { ROLES } from '../../src/auth/roles.js';
import { corpusFile } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { postForm, requester, signIn, type TestUser } from '../helpers/web.js';
import { quietLog, waitForState } from '../tasks/helpers.js';

/** "YYYY-MM-DD/name" of a quarantined file. */
function entryId(path: string): string {
  return `${basename(dirname(path))}/${basename(path)}`;
}

describe.each(ENGINES)('quarantine page on %s', (engine) => {
  let t: TestDb;
  let app: FastifyInstance;
  let admin: TestUser;
  let others: TestUser;
  let sources: string;
  /** Fails now and on retry: a CT RDSR's header without its content tree. */
  let broken: string;
  let brokenReason: string;
  /** Failed once (its note says so), imports on retry. */
  let repairable: string;

  beforeAll(async () => {
    t = await createTestDb(engine);
    app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
    admin = await signIn(t.db, { roles: ['admin'] });
    others = await signIn(t.db, { roles: ROLES.filter((r) => r !== 'admin') });
    sources = mkdtempSync(join(tmpdir(), 'openrem-incoming-'));
    const settings = await loadSettings(t.db.kysely);
    const cut = join(sources, 'broken.dcm');
    writeFileSync(cut, readFileSync(corpusFile('CT-RDSR-ToshibaPixelMed.dcm')).subarray(0, 700));
    const failed = await importFile(t.db, settings, cut, { dataDir: t.dataDir });
    expect(failed.status).toBe('failed');
    broken = failed.quarantinedAs!;
    brokenReason = failed.message;
    const later = join(sources, 'later.dcm');
    copyFileSync(corpusFile('CT-RDSR-GEPixelMed.dcm'), later);
    // Given as the command line had it, relative to where it ran: the note keeps the full path.
    repairable = await quarantine(t.dataDir, relative(process.cwd(), later), 'the extractor did not know this report yet', 'rdsr-ct', settings, new Date('2024-03-04T05:06:07.089Z'));
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
    rmSync(sources, { recursive: true, force: true });
  });

  it('lists quarantined files, newest first, with date, original path, reason and attempts', async () => {
    const res = await requester(app, admin)('/admin/quarantine');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<h1>Quarantine <small>2 files</small></h1>');
    expect(html).toContain('<a href="/admin/quarantine" class="admin-link" aria-current="page">Quarantine</a>');
    const row = (path: string) => {
      const start = html.indexOf(`<tr data-quarantine-file="${entryId(path)}">`);
      expect(start, entryId(path)).toBeGreaterThan(0);
      return html.slice(start, html.indexOf('</tr>', start));
    };
    const brokenNote = (await readNote(broken))!;
    expect(row(broken)).toContain(`<time datetime="${brokenNote.quarantinedAt}">`);
    expect(row(broken)).toContain(`<td>${join(sources, 'broken.dcm')}<span class="note">kept as ${entryId(broken)}, 700 bytes</span></td>`);
    expect(row(broken)).toContain(`<td>${brokenReason.replace(/"/g, '&quot;')}</td><td class="num">1</td>`);
    expect(row(repairable)).toContain('<time datetime="2024-03-04T05:06:07.089Z">2024-03-04 05:06:07 UTC</time>');
    expect(row(repairable)).toContain(`<td>${join(sources, 'later.dcm')}<span class="note">kept as 2024-03-04/20240304050607089-later.dcm, `);
    expect(row(repairable)).toContain(', rdsr-ct</span></td><td>the extractor did not know this report yet</td><td class="num">1</td>');
    expect(row(repairable)).toContain(`<input type="hidden" name="file" value="2024-03-04/20240304050607089-later.dcm">`);
    expect(html.indexOf(entryId(broken))).toBeLessThan(html.indexOf(entryId(repairable)));
    expect(html).toContain('<form method="post" action="/admin/quarantine/retry">');
  });

  it('is for administrators only', async () => {
    expect((await requester(app, others)('/admin/quarantine')).statusCode).toBe(403);
    expect((await postForm(app, others, '/admin/quarantine/delete', { file: entryId(broken) })).statusCode).toBe(403);
    expect((await postForm(app, others, '/admin/quarantine/retry', {})).statusCode).toBe(403);
    expect((await requester(app, null)('/admin/quarantine')).headers.location).toBe('/login?next=%2Fadmin%2Fquarantine');
    expect((await requester(app, others)('/')).body).not.toContain('/admin/quarantine');
    expect(existsSync(broken)).toBe(true);
  });

  it('refuses names outside the quarantine folder, notes, links and unknown files, deleting nothing', async () => {
    const outside = join(t.dataDir, 'secret.txt');
    writeFileSync(outside, 'keep me');
    const day = basename(dirname(broken));
    const link = join(dirname(broken), 'link.dcm');
    symlinkSync(outside, link);
    for (const file of [
      '../secret.txt',
      `${day}/../../secret.txt`,
      `${day}/..`,
      `${day}/${basename(broken)}.reason.json`,
      `${day}/link.dcm`,
      `${day}\\..\\..\\secret.txt`,
      outside,
      `${day}/no-such.dcm`,
      basename(broken),
      '',
    ]) {
      const res = await postForm(app, admin, '/admin/quarantine/delete', { file });
      expect(res.statusCode, file).toBe(404);
    }
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
    expect(existsSync(link)).toBe(true);
    expect(existsSync(noteFileFor(broken))).toBe(true);
    rmSync(link);
  });

  it('retries every file as a background task: the repaired one imports and leaves, the broken one stays with another attempt', async () => {
    const res = await postForm(app, admin, '/admin/quarantine/retry', {});
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/quarantine?retry=queued');
    // One retry at a time.
    expect((await postForm(app, admin, '/admin/quarantine/retry', {})).statusCode).toBe(303);
    const tasks = await listTasks(t.db, { kinds: ['quarantine.retry'] });
    expect(tasks).toHaveLength(1);
    const queuedPage = await requester(app, admin)('/admin/quarantine?retry=queued');
    expect(queuedPage.body).toContain('Retry started: the files are imported again in the background.');
    expect(queuedPage.body).toContain(`data-task-id="${tasks[0]!.id}"`);
    expect(queuedPage.body).not.toContain('action="/admin/quarantine/retry"');

    const worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: new TaskRegistry([retryQuarantineTask]), log: quietLog, pollMs: 50 });
    await worker.start();
    try {
      const done = await waitForState(t.db, tasks[0]!.id, ['done', 'failed', 'aborted']);
      expect(done.state).toBe('done');
      expect(JSON.parse(done.result!)).toEqual({
        files: 2,
        counts: { imported: 1, merged: 0, duplicate: 0, 'not-dose': 0, failed: 1 },
        results: [
          { file: basename(repairable), status: 'imported', message: expect.any(String) },
          { file: basename(broken), status: 'failed', message: brokenReason },
        ],
      });
    } finally {
      await worker.stop();
    }
    expect(existsSync(repairable)).toBe(false);
    expect(existsSync(noteFileFor(repairable))).toBe(false);
    expect((await readNote(broken))!.attempts).toBe(2);
    expect(await t.db.kysely.selectFrom('study').select('id').execute()).toHaveLength(1);
    const page = await requester(app, admin)('/admin/quarantine');
    expect(page.body).toContain('<h1>Quarantine <small>1 file</small></h1>');
    expect(page.body).toContain('2 retried: 1 imported, 0 duplicates, 0 not dose objects, 1 still failing.');
    expect(page.body).toContain('<td class="num">2</td>');
    const [audit] = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'quarantine.retry').execute();
    expect(audit).toMatchObject({ actor: admin.user.username, target: `task ${tasks[0]!.id}` });
  });

  it('deletes a file and its note for good with the CSRF token, recorded in the audit log', async () => {
    const forged = await postForm(app, admin, '/admin/quarantine/delete', { file: entryId(broken), _csrf: 'x' });
    expect(forged.statusCode).toBe(403);
    expect(existsSync(broken)).toBe(true);
    const res = await postForm(app, admin, '/admin/quarantine/delete', { file: entryId(broken) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/quarantine?deleted=${encodeURIComponent(entryId(broken))}`);
    expect(existsSync(broken)).toBe(false);
    expect(existsSync(noteFileFor(broken))).toBe(false);
    const [entry] = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'quarantine.delete').execute();
    expect(entry).toMatchObject({ actor: admin.user.username, target: `quarantined file ${entryId(broken)}` });
    expect(JSON.parse(entry!.details!)).toEqual({ originalPath: join(sources, 'broken.dcm'), reason: brokenReason, attempts: 2 });
    const page = await requester(app, admin)(res.headers.location as string);
    expect(page.body).toContain(`${entryId(broken)} deleted.`);
    expect(page.body).toContain('The quarantine is empty: every file imported.');
    expect(page.body).not.toContain('action="/admin/quarantine/retry"');
  });
});
