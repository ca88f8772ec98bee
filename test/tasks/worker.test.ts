// The task queue and an in-process worker on each engine: claiming, completion, failure,
// abort, recovery of tasks whose worker died, stopping, pruning.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimNextTask } from '../../src/tasks/claim.js';
import { z } from 'zod';
import { defineTaskKind, TaskRegistry } from '../../src/tasks/kind.js';
import { pruneTasks } from '../../src/tasks/prune.js';
import { enqueueTask, getTask, listTasks, requestAbort } from '../../src/tasks/queue.js';
import { TaskWorker, type WorkerOptions } from '../../src/tasks/worker.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { onceSteps, retryableSteps, testTaskKinds } from './fixtures/test-kinds.mjs';
import { quietLog, taskRow, traceLines, waitFor, waitForState } from './helpers.js';

const ADMIN = { id: null, name: 'admin' };

for (const engine of ENGINES) {
  describe(`tasks (${engine})`, () => {
    let t: TestDb;
    const workers: TaskWorker[] = [];
    let fileCounter = 0;
    const file = (name: string) => join(t.dataDir, `${fileCounter++}-${name}`);

    const startWorker = async (opts: Partial<WorkerOptions> = {}) => {
      const worker = new TaskWorker({ db: t.db, dataDir: t.dataDir, kinds: new TaskRegistry(testTaskKinds), log: quietLog, pollMs: 50, ...opts });
      workers.push(worker);
      await worker.start();
      return worker;
    };

    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterEach(async () => {
      for (const w of workers.splice(0)) await w.stop();
      await t.db.kysely.deleteFrom('task').execute();
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('queues a task with checked parameters and who started it', async () => {
      await expect(enqueueTask(t.db, retryableSteps, { steps: -1, stepMs: 0 })).rejects.toThrow(/steps/);
      const task = await enqueueTask(t.db, retryableSteps, { steps: 2, stepMs: 0 }, { startedBy: { id: null, name: 'alice' } });
      expect(task).toMatchObject({
        kind: 'test.steps',
        label: 'Test steps (retry-safe)',
        params: { steps: 2, stepMs: 0 },
        state: 'queued',
        progress: null,
        attempts: 0,
        maxAttempts: 3,
        startedBy: { id: null, name: 'alice' },
        worker: null,
        abortRequested: false,
      });
      const once = await enqueueTask(t.db, onceSteps, { steps: 1, stepMs: 0 }, { label: 'One go' });
      expect(once.maxAttempts).toBe(1);
      expect(once.label).toBe('One go');
      expect((await listTasks(t.db)).map((x) => x.id)).toEqual([once.id, task.id]);
      expect((await listTasks(t.db, { states: ['running'] })).length).toBe(0);
    });

    it('runs a task to done with its result and progress', async () => {
      const output = file('out.txt');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 3, stepMs: 10, output });
      await startWorker();
      const row = await waitForState(t.db, task.id, ['done', 'failed', 'aborted']);
      expect(row.state).toBe('done');
      const done = (await getTask(t.db, task.id))!;
      expect(done.result).toEqual({ steps: 3, pid: process.pid });
      expect(done.progress).toBe(1);
      expect(done.message).toBe('step 3 of 3');
      expect(done.attempts).toBe(1);
      expect(done.reason).toBeNull();
      expect(done.worker).toMatch(new RegExp(`\\(pid ${process.pid}\\)$`));
      expect(done.startedAt! <= done.finishedAt!).toBe(true);
      expect(readFileSync(output, 'utf8')).toBe('1\n2\n3\n');
    });

    it('shows progress while a task runs', async () => {
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1000, stepMs: 20 });
      await startWorker();
      const seen = await waitFor('progress', async () => {
        const r = await getTask(t.db, task.id);
        return r && r.state === 'running' && r.progress !== null && r.progress > 0 && r.progress < 1 ? r : undefined;
      });
      expect(seen.message).toMatch(/^step \d+ of 1000$/);
      expect(seen.heartbeatAt).not.toBeNull();
    });

    it('fails a task whose handler throws, removing its partial output', async () => {
      const output = file('partial.txt');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 5, stepMs: 5, failAt: 2, output });
      await startWorker();
      const row = await waitForState(t.db, task.id, ['done', 'failed', 'aborted']);
      expect(row.state).toBe('failed');
      expect(row.reason).toBe('step 3 failed');
      expect(row.message).toBe('step 2 of 5');
      expect(row.attempts).toBe(1);
      expect(existsSync(output)).toBe(false);
    });

    it('fails a task whose stored parameters are no longer valid', async () => {
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      await t.db.kysely.updateTable('task').set({ params: '{"steps":"many"}' }).where('id', '=', task.id).execute();
      await startWorker();
      const row = await waitForState(t.db, task.id, ['done', 'failed']);
      expect(row.state).toBe('failed');
      expect(row.reason).toMatch(/^its parameters are not valid: /);
    });

    it('leaves tasks of kinds it does not know in the queue', async () => {
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      await t.db.kysely.updateTable('task').set({ kind: 'test.unknown' }).where('id', '=', task.id).execute();
      expect(await claimNextTask(t.db, ['test.steps'], { host: 'h', pid: 1 })).toBeUndefined();
      await startWorker();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await taskRow(t.db, task.id)).state).toBe('queued');
    });

    it('aborts a queued task before it starts', async () => {
      const trace = file('trace.txt');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0, trace });
      expect(await requestAbort(t.db, task.id, ADMIN)).toBe('aborted');
      expect(await requestAbort(t.db, task.id, ADMIN)).toBe('finished');
      expect(await requestAbort(t.db, 999_999, ADMIN)).toBe('not-found');
      await startWorker();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const row = await taskRow(t.db, task.id);
      expect(row.state).toBe('aborted');
      expect(row.reason).toBe('aborted by admin before it started');
      expect(row.attempts).toBe(0);
      expect(existsSync(trace)).toBe(false);
    });

    it('aborts a running task promptly and removes its partial output', async () => {
      const output = file('aborted.txt');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1000, stepMs: 20, output });
      await startWorker();
      await waitFor('some output', () => existsSync(output) && readFileSync(output, 'utf8').length > 0);
      const asked = Date.now();
      expect(await requestAbort(t.db, task.id, ADMIN)).toBe('requested');
      expect((await getTask(t.db, task.id))!.abortRequested).toBe(true);
      const row = await waitForState(t.db, task.id, ['done', 'failed', 'aborted'], 5000);
      expect(Date.now() - asked).toBeLessThan(2000);
      expect(row.state).toBe('aborted');
      expect(row.reason).toBe('aborted by admin while it ran');
      expect(row.abort_requested_by).toBe('admin');
      expect(existsSync(output)).toBe(false);
    });

    it('never runs a task twice with two workers on one queue', async () => {
      const trace = file('trace.txt');
      const ids: number[] = [];
      for (let i = 0; i < 24; i++) ids.push((await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 5, trace })).id);
      await Promise.all([startWorker({ concurrency: 3 }), startWorker({ concurrency: 3 })]);
      for (const id of ids) expect((await waitForState(t.db, id, ['done', 'failed', 'aborted'])).state).toBe('done');
      const lines = traceLines(readFileSync(trace, 'utf8'));
      expect(lines.map((l) => l.id).sort((a, b) => a - b)).toEqual(ids);
      expect(lines.every((l) => l.attempt === 1)).toBe(true);
    });

    it('claims each queued task once however many claim at the same time', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 10; i++) ids.push((await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 })).id);
      const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => claimNextTask(t.db, ['test.steps'], { host: 'h', pid: i + 1 })));
      const claimed = claims.filter((c) => c !== undefined).map((c) => c.id);
      expect(claimed.length).toBeLessThanOrEqual(10);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claims.filter((c) => c !== undefined).every((c) => c.state === 'running' && c.attempts === 1)).toBe(true);
      // Whatever lost a race is still there for the next claim.
      for (;;) {
        const next = await claimNextTask(t.db, ['test.steps'], { host: 'h', pid: 99 });
        if (!next) break;
        claimed.push(next.id);
      }
      expect(claimed.sort((a, b) => a - b)).toEqual(ids);
    });

    it('queues again a task whose worker stopped sending heartbeats, and runs it', async () => {
      const trace = file('trace.txt');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 2, stepMs: 5, trace });
      await claimNextTask(t.db, ['test.steps'], { host: 'elsewhere', pid: 4242 });
      const lastBeat = new Date(Date.now() - 10_000).toISOString();
      await t.db.kysely.updateTable('task').set({ heartbeat_at: lastBeat }).where('id', '=', task.id).execute();
      await startWorker({ staleMs: 5000 });
      const row = await waitForState(t.db, task.id, ['done', 'failed', 'aborted']);
      expect(row.state).toBe('done');
      expect(row.attempts).toBe(2);
      expect(row.reason).toBe(`attempt 1 was interrupted: the worker on elsewhere (pid 4242) stopped responding (last heartbeat ${lastBeat}); queued again`);
      expect(traceLines(readFileSync(trace, 'utf8'))).toEqual([{ id: task.id, attempt: 2, pid: process.pid }]);
    });

    it('fails instead of repeating a lost task of a kind that is not safe to run again', async () => {
      const task = await enqueueTask(t.db, onceSteps, { steps: 1, stepMs: 0 });
      await claimNextTask(t.db, ['test.steps-once'], { host: 'elsewhere', pid: 4242 });
      await t.db.kysely.updateTable('task').set({ heartbeat_at: new Date(Date.now() - 10_000).toISOString() }).where('id', '=', task.id).execute();
      await startWorker({ staleMs: 5000 });
      const row = await waitForState(t.db, task.id, ['done', 'failed', 'aborted', 'queued']);
      expect(row.state).toBe('failed');
      expect(row.reason).toMatch(/^the worker on elsewhere \(pid 4242\) stopped responding \(last heartbeat .*\); this kind of task is not started again automatically$/);
      expect(row.finished_at).not.toBeNull();
    });

    it('gives up on a lost task when its attempts are used up, and honours an abort asked before', async () => {
      const spent = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      const asked = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      for (let i = 0; i < 3; i++) {
        expect((await claimNextTask(t.db, ['test.steps'], { host: 'elsewhere', pid: 7 }))!.id).toBe(spent.id);
        if (i < 2) await t.db.kysely.updateTable('task').set({ state: 'queued' }).where('id', '=', spent.id).execute();
      }
      expect((await claimNextTask(t.db, ['test.steps'], { host: 'elsewhere', pid: 7 }))!.id).toBe(asked.id);
      expect((await taskRow(t.db, spent.id)).attempts).toBe(3);
      expect((await taskRow(t.db, asked.id)).state).toBe('running');
      expect(await requestAbort(t.db, asked.id, ADMIN)).toBe('requested');
      const old = new Date(Date.now() - 10_000).toISOString();
      await t.db.kysely.updateTable('task').set({ heartbeat_at: old }).execute();
      await startWorker({ staleMs: 5000 });
      const a = await waitForState(t.db, spent.id, ['done', 'failed', 'aborted']);
      expect(a.state).toBe('failed');
      expect(a.reason).toMatch(/stopped responding .*; gave up after 3 attempts$/);
      const b = await waitForState(t.db, asked.id, ['done', 'failed', 'aborted']);
      expect(b.state).toBe('aborted');
      expect(b.reason).toMatch(/^aborted by admin; the worker on elsewhere \(pid 7\) stopped responding/);
    });

    it('recovers at start-up what a dead process of this machine left running', async () => {
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      const probe = await startWorker({ pollMs: 60_000 });
      await probe.stop();
      // A pid that cannot exist (beyond the kernel's limit), on this host, with a fresh heartbeat.
      await claimNextTask(t.db, ['test.steps'], { host: probe.identity.host, pid: 2 ** 30 });
      await startWorker({ staleMs: 600_000 });
      const row = await waitForState(t.db, task.id, ['done', 'failed', 'aborted']);
      expect(row.state).toBe('done');
      expect(row.attempts).toBe(2);
      expect(row.reason).toBe(`attempt 1 was interrupted: the worker on ${probe.identity.host} (pid ${2 ** 30}) is no longer running; queued again`);
    });

    it('leaves alone running tasks of live workers', async () => {
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      const probe = await startWorker({ pollMs: 60_000 });
      await probe.stop();
      // This test process is alive: its task must not be taken.
      await claimNextTask(t.db, ['test.steps'], { host: probe.identity.host, pid: process.ppid });
      await startWorker({ staleMs: 600_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const row = await taskRow(t.db, task.id);
      expect(row.state).toBe('running');
      expect(row.worker_pid).toBe(process.ppid);
    });

    it('gives up a task another worker took over, without overwriting it or removing its output', async () => {
      // The output path is the new run's too: the run that lost the task must leave it alone.
      const output = file('taken-over.txt');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1000, stepMs: 10, output });
      await startWorker();
      await waitFor('progress', async () => ((await taskRow(t.db, task.id)).progress ?? 0) > 0);
      // As if a sweep had judged it lost and another worker claimed it: attempts moves on.
      await t.db.kysely
        .updateTable('task')
        .set({ attempts: 2, worker_host: 'elsewhere', worker_pid: 5, progress: 0.5, message: 'theirs' })
        .where('id', '=', task.id)
        .execute();
      await waitFor('the worker to let go', () => workers[0]!.running.length === 0, 5000);
      const row = await taskRow(t.db, task.id);
      expect(row).toMatchObject({ state: 'running', attempts: 2, worker_host: 'elsewhere', progress: 0.5, message: 'theirs' });
      expect(existsSync(output)).toBe(true);
    });

    it('lets a run that lost its task know before a step that cannot be undone', async () => {
      // A run that stalled past its heartbeat: it resumes only after another worker took over.
      let resume!: () => void;
      const resumed = new Promise<void>((r) => (resume = r));
      const outcomes: string[] = [];
      const stalling = defineTaskKind({
        name: 'test.stalling',
        title: 'Test stalling',
        params: z.object({}),
        retry: true,
        async run(_params, ctx) {
          await resumed;
          try {
            await ctx.confirmStillMine();
            outcomes.push('went on');
          } catch {
            outcomes.push('stopped');
            throw new Error('taken over');
          }
          return null;
        },
      });
      const task = await enqueueTask(t.db, stalling, {});
      await startWorker({ kinds: new TaskRegistry([stalling]), heartbeatMs: 600_000 });
      await waitFor('running', async () => (await taskRow(t.db, task.id)).state === 'running');
      await t.db.kysely.updateTable('task').set({ attempts: 2, worker_host: 'elsewhere', worker_pid: 5 }).where('id', '=', task.id).execute();
      resume();
      await waitFor('the run to end', () => outcomes.length === 1);
      expect(outcomes).toEqual(['stopped']);
      await waitFor('the worker to let go', () => workers[0]!.running.length === 0, 5000);
      expect(await taskRow(t.db, task.id)).toMatchObject({ state: 'running', attempts: 2, worker_host: 'elsewhere' });
    });

    it('on stop, queues a retry-safe running task again without using up an attempt, and fails the others', async () => {
      const output = file('stopped.txt');
      const retry = await enqueueTask(t.db, retryableSteps, { steps: 1000, stepMs: 10, output });
      const once = await enqueueTask(t.db, onceSteps, { steps: 1000, stepMs: 10 });
      const worker = await startWorker({ concurrency: 2 });
      await waitFor('both running', async () => (await listTasks(t.db, { states: ['running'] })).length === 2);
      await worker.stop('the worker was stopped (SIGTERM)');
      const a = await taskRow(t.db, retry.id);
      expect(a).toMatchObject({ state: 'queued', attempts: 1, max_attempts: 4, worker_host: null, finished_at: null, progress: null });
      expect(a.reason).toBe('attempt 1 was interrupted: the worker was stopped (SIGTERM) before it finished; queued again');
      expect(existsSync(output)).toBe(false);
      const b = await taskRow(t.db, once.id);
      expect(b.state).toBe('failed');
      expect(b.reason).toBe('the worker was stopped (SIGTERM) before it finished; this kind of task is not started again automatically');
      // The next worker finishes the retry-safe one.
      await t.db.kysely.updateTable('task').set({ params: JSON.stringify({ steps: 1, stepMs: 0 }) }).where('id', '=', retry.id).execute();
      await startWorker();
      expect((await waitForState(t.db, retry.id, ['done', 'failed'])).state).toBe('done');
    });

    it('prunes finished tasks by age and by count, never queued or running ones', async () => {
      const now = new Date('2025-06-30T12:00:00.000Z');
      const day = 86_400_000;
      const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day).toISOString();
      const base = { kind: 'test.steps', label: 'x', params: '{}', max_attempts: 1 };
      const insert = async (state: 'queued' | 'running' | 'done' | 'failed' | 'aborted', finishedDaysAgo: number | null, createdDaysAgo: number) =>
        (
          await t.db.kysely
            .insertInto('task')
            .values({ ...base, state, created_at: at(createdDaysAgo), finished_at: finishedDaysAgo === null ? null : at(finishedDaysAgo) })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
      const oldQueued = await insert('queued', null, 400);
      const oldRunning = await insert('running', null, 400);
      const tooOld = [await insert('done', 40, 40), await insert('failed', 31, 31), await insert('aborted', 30.5, 31)];
      const recent = [];
      for (let i = 0; i < 6; i++) recent.push(await insert(i % 2 ? 'done' : 'failed', 29 - i, 29 - i));
      expect(await pruneTasks(t.db, { days: 30, rows: 4 }, now)).toBe(5);
      const left = (await t.db.kysely.selectFrom('task').select('id').orderBy('id').execute()).map((r) => r.id);
      expect(left).toEqual([oldQueued, oldRunning, ...recent.slice(2)]);
      expect(tooOld.some((id) => left.includes(id))).toBe(false);
      expect(await pruneTasks(t.db, { days: 30, rows: 4 }, now)).toBe(0);
      expect(await pruneTasks(t.db, { days: 30, rows: 0 }, now)).toBe(4);
    });
  });
}
