// The task pages on each engine: who may see and abort what, the admin page's contents and
// the JSON a page polls for progress.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/log.js';
import { configFromEnv } from '../../src/config.js';
import { claimNextTask } from '../../src/tasks/claim.js';
import { enqueueTask, getTask, type TaskRecord } from '../../src/tasks/queue.js';
import { buildApp } from '../../src/web/app.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { postForm, requester, signIn, type TestUser } from '../helpers/web.js';
import { onceSteps, retryableSteps } from './fixtures/test-kinds.mjs';
import { quietLog } from './helpers.js';

for (const engine of ENGINES) {
  describe(`task pages (${engine})`, () => {
    let t: TestDb;
    let app: FastifyInstance;
    let admin: TestUser;
    let owner: TestUser;
    let other: TestUser;
    let queued: TaskRecord;
    let running: TaskRecord;
    let failed: TaskRecord;

    beforeAll(async () => {
      t = await createTestDb(engine);
      app = await buildApp({ db: t.db, config: configFromEnv(t.env), logger: quietLog });
      admin = await signIn(t.db, { roles: ['admin'] });
      owner = await signIn(t.db, { roles: ['export'] });
      other = await signIn(t.db, { roles: ['export', 'view'] });
      const by = { id: owner.user.id, name: owner.user.username };
      running = await enqueueTask(t.db, retryableSteps, { steps: 10, stepMs: 1 }, { startedBy: by, label: 'CT export <2024>' });
      await claimNextTask(t.db, ['test.steps'], { host: 'worker-host', pid: 321 });
      await t.db.kysely.updateTable('task').set({ progress: 0.425, message: '17 of 40 studies' }).where('id', '=', running.id).execute();
      queued = await enqueueTask(t.db, onceSteps, { steps: 1, stepMs: 0 }, { startedBy: by });
      failed = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      await t.db.kysely
        .updateTable('task')
        .set({ state: 'failed', reason: 'the disk is full', finished_at: '2025-01-02T03:04:05.000Z' })
        .where('id', '=', failed.id)
        .execute();
    });
    afterAll(async () => {
      await app.close();
      await t.cleanup();
    });

    it('shows administrators queued, running and recent tasks', async () => {
      const res = await requester(app, admin)('/admin/tasks');
      expect(res.statusCode).toBe(200);
      const html = res.body;
      // Running: a live progress bar at 42 %, its message, the worker, an abort button.
      const runningRow = html.slice(html.indexOf(`data-task-row="${running.id}"`), html.indexOf('</tr>', html.indexOf(`data-task-row="${running.id}"`)));
      expect(runningRow).toContain('CT export &lt;2024&gt;');
      expect(runningRow).toContain(`data-task-id="${running.id}"`);
      expect(runningRow).toContain('<progress max="1" value="0.425"');
      expect(runningRow).toContain('42 %');
      expect(runningRow).toContain('17 of 40 studies');
      expect(runningRow).toContain('worker-host (pid 321)');
      expect(runningRow).toContain(`action="/tasks/${running.id}/abort"`);
      expect(runningRow).toContain(`name="_csrf" value="${admin.csrf}"`);
      expect(runningRow).toContain(owner.user.username);
      // Queued: followed, abortable, no bar yet.
      const queuedRow = html.slice(html.indexOf(`data-task-row="${queued.id}"`), html.indexOf('</tr>', html.indexOf(`data-task-row="${queued.id}"`)));
      expect(queuedRow).toContain(`data-task-id="${queued.id}"`);
      expect(queuedRow).not.toContain('<progress');
      expect(queuedRow).toContain(`action="/tasks/${queued.id}/abort"`);
      // Finished: the reason, no following, no button; started by the system.
      const failedRow = html.slice(html.indexOf(`data-task-row="${failed.id}"`), html.indexOf('</tr>', html.indexOf(`data-task-row="${failed.id}"`)));
      expect(failedRow).toContain('the disk is full');
      expect(failedRow).toContain('2025-01-02 03:04:05 UTC');
      expect(failedRow).toContain('system');
      expect(failedRow).not.toContain('data-task-id');
      expect(failedRow).not.toContain('/abort');
      expect(html).toContain('<a href="/admin/tasks" class="admin-link" aria-current="page">Tasks</a>');
      expect(html).toContain('data-refresh="5"');
      expect(html).toMatch(/<script src="\/static\/tasks\.js\?v=[^"]+" defer><\/script>/);
    });

    it('keeps the task page from everyone but administrators', async () => {
      const anonymous = await requester(app, null)('/admin/tasks');
      expect(anonymous.statusCode).toBe(302);
      expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Ftasks');
      expect((await requester(app, other)('/admin/tasks')).statusCode).toBe(403);
      const home = await requester(app, other)('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).not.toContain('/admin/tasks');
    });

    it('gives a task as JSON to its owner and administrators only', async () => {
      const mine = await requester(app, owner)(`/api/tasks/${running.id}`);
      expect(mine.statusCode).toBe(200);
      expect(mine.headers['cache-control']).toBe('no-store');
      expect(mine.json()).toMatchObject({ id: running.id, state: 'running', progress: 0.425, message: '17 of 40 studies', label: 'CT export <2024>', worker: 'worker-host (pid 321)' });
      expect((await requester(app, admin)(`/api/tasks/${running.id}`)).json().id).toBe(running.id);
      const notMine = await requester(app, other)(`/api/tasks/${running.id}`);
      expect(notMine.statusCode).toBe(404);
      expect(notMine.json()).toEqual({ error: 'no such task' });
      expect((await requester(app, owner)(`/api/tasks/${failed.id}`)).statusCode).toBe(404);
      expect((await requester(app, admin)('/api/tasks/0')).statusCode).toBe(404);
      expect((await requester(app, admin)('/api/tasks/999999')).statusCode).toBe(404);
      const anonymous = await requester(app, null)(`/api/tasks/${running.id}`);
      expect(anonymous.statusCode).toBe(401);
    });

    it('lets the owner abort a queued task, with the CSRF token, and records it', async () => {
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 }, { startedBy: { id: owner.user.id, name: owner.user.username } });
      const forged = await postForm(app, owner, `/tasks/${task.id}/abort`, { _csrf: 'wrong', next: '/admin/tasks' });
      expect(forged.statusCode).toBe(403);
      const stranger = await postForm(app, other, `/tasks/${task.id}/abort`, { next: '/' });
      expect(stranger.statusCode).toBe(404);
      expect((await getTask(t.db, task.id))!.state).toBe('queued');
      const res = await postForm(app, owner, `/tasks/${task.id}/abort`, { next: '/exports?page=2' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/exports?page=2&abort=aborted&task=${task.id}`);
      const after = (await getTask(t.db, task.id))!;
      expect(after.state).toBe('aborted');
      expect(after.reason).toBe(`aborted by ${owner.user.username} before it started`);
      const [entry] = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'task.abort').orderBy('id', 'desc').limit(1).execute();
      expect(entry).toMatchObject({ actor: owner.user.username, target: `task ${task.id}` });
      expect(JSON.parse(entry!.details!)).toEqual({ kind: 'test.steps', label: 'Test steps (retry-safe)', outcome: 'aborted' });
      // An outside address for "next" is not followed.
      const again = await postForm(app, owner, `/tasks/${task.id}/abort`, { next: '//evil.example/' });
      expect(again.headers.location).toBe(`/?abort=finished&task=${task.id}`);
    });

    it("lets an administrator ask a running task to stop, and says so", async () => {
      const res = await postForm(app, admin, `/tasks/${running.id}/abort`, { next: '/admin/tasks' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/admin/tasks?abort=requested&task=${running.id}`);
      const after = (await getTask(t.db, running.id))!;
      expect(after).toMatchObject({ state: 'running', abortRequested: true });
      const page = await requester(app, admin)(res.headers.location as string);
      expect(page.body).toContain(`Task #${running.id} is being stopped; it ends within a few seconds.`);
      const row = page.body.slice(page.body.indexOf(`data-task-row="${running.id}"`));
      expect(row.slice(0, row.indexOf('</tr>'))).toContain('abort requested');
      expect(row.slice(0, row.indexOf('</tr>'))).not.toContain('/abort"');
      expect((await readAudit(t.db.kysely, { action: 'task.abort' }))[0]).toMatchObject({ actor: admin.user.username, target: `task ${running.id}` });
    });

    it('serves the status script', async () => {
      const res = await requester(app, null)('/static/tasks.js');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.body).toContain('/api/tasks/');
    });
  });
}
