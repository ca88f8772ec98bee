// Worker processes on each engine, as deployed: `openrem worker` processes sharing one queue,
// one killed mid-task and another recovering its work, a clean stop, and `openrem serve`
// running tasks in-process unless told --no-worker. The processes run the built command
// with the test task kinds registered (fixtures/openrem.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueTask } from '../../src/tasks/queue.js';
import { killProcesses, startOpenrem, stopProcess as stop, type RunningProcess } from '../helpers/cli.js';
import { PROJECT_ROOT } from '../helpers/corpus.js';
import { createTestDb, ENGINES, type TestDb } from '../helpers/db.js';
import { onceSteps, retryableSteps } from './fixtures/test-kinds.mjs';
import { taskRow, traceLines, waitFor, waitForState } from './helpers.js';

const FIXTURE = join(PROJECT_ROOT, 'test', 'tasks', 'fixtures', 'openrem.mjs');

for (const engine of ENGINES) {
  describe(`worker processes (${engine})`, () => {
    let t: TestDb;
    const children: RunningProcess[] = [];
    let fileCounter = 0;
    const file = (name: string) => join(t.dataDir, `${fileCounter++}-${name}`);

    const start = async (args: string[]): Promise<RunningProcess> => {
      const child = await startOpenrem(args, t.env, FIXTURE);
      children.push(child);
      return child;
    };

    beforeAll(async () => {
      t = await createTestDb(engine);
    });
    afterEach(async () => {
      await killProcesses(children);
      await t.db.kysely.deleteFrom('task').execute();
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('shares one queue between two worker processes without running a task twice', async () => {
      const [a, b] = await Promise.all([start(['worker', '--concurrency', '2']), start(['worker', '--concurrency=2'])]);
      expect(a!.stdout).toMatch(/task worker: up to 2 tasks at a time \([^)]*\btest\.steps, test\.steps-once\b[^)]*\)/);
      const trace = file('trace.txt');
      const ids: number[] = [];
      for (let i = 0; i < 16; i++) ids.push((await enqueueTask(t.db, retryableSteps, { steps: 2, stepMs: 100, trace })).id);
      const rows = [];
      for (const id of ids) rows.push(await waitForState(t.db, id, ['done', 'failed', 'aborted'], 30_000));
      expect(rows.every((r) => r.state === 'done' && r.attempts === 1)).toBe(true);
      const lines = traceLines(readFileSync(trace, 'utf8'));
      expect(lines.map((l) => l.id).sort((x, y) => x - y)).toEqual(ids);
      // Both processes took a share, and each task ran where the queue says it did.
      expect(new Set(lines.map((l) => l.pid))).toEqual(new Set([a!.pid, b!.pid]));
      for (const row of rows) expect(row.worker_pid).toBe(lines.find((l) => l.id === row.id)!.pid);
      expect(await stop(a!)).toEqual({ code: 0, signal: null });
      expect(await stop(b!)).toEqual({ code: 0, signal: null });
    });

    it('recovers the tasks of a worker process killed mid-task when a worker starts again', async () => {
      const first = await start(['worker', '--concurrency', '2']);
      const trace = file('trace.txt');
      const output = file('output.txt');
      // Long enough to be still under way when killed, however busy the machine.
      const retry = await enqueueTask(t.db, retryableSteps, { steps: 40, stepMs: 100, trace, output });
      const onceOutput = file('once-output.txt');
      const once = await enqueueTask(t.db, onceSteps, { steps: 40, stepMs: 100, output: onceOutput });
      await waitFor('both tasks under way', async () => ((await taskRow(t.db, retry.id)).progress ?? 0) > 0 && ((await taskRow(t.db, once.id)).progress ?? 0) > 0);
      first.proc.kill('SIGKILL');
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // Nobody has looked at them yet: they still say who was running them.
      for (const id of [retry.id, once.id]) expect(await taskRow(t.db, id)).toMatchObject({ state: 'running', worker_pid: first.pid, attempts: 1 });
      expect(readFileSync(onceOutput, 'utf8')).toMatch(/^1\n/);

      const second = await start(['worker']);
      const lostAt = `the worker on ${hostname()} (pid ${first.pid}) is no longer running`;
      const failed = await waitForState(t.db, once.id, ['done', 'failed', 'aborted', 'queued']);
      expect(failed.state).toBe('failed');
      expect(failed.reason).toBe(`${lostAt}; this kind of task is not started again automatically`);
      // The dead run could not remove its partial output: the worker that failed the task does.
      await waitFor('the partial output of the failed task removed', () => !existsSync(onceOutput));
      const done = await waitForState(t.db, retry.id, ['done', 'failed', 'aborted'], 30_000);
      expect(done.state).toBe('done');
      expect(done.attempts).toBe(2);
      expect(done.reason).toBe(`attempt 1 was interrupted: ${lostAt}; queued again`);
      expect(JSON.parse(done.result!)).toEqual({ steps: 40, pid: second.pid });
      expect(traceLines(readFileSync(trace, 'utf8'))).toEqual([
        { id: retry.id, attempt: 1, pid: first.pid },
        { id: retry.id, attempt: 2, pid: second.pid },
      ]);
      expect(readFileSync(output, 'utf8')).toBe(Array.from({ length: 40 }, (_, i) => `${i + 1}\n`).join(''));
      expect(await stop(second)).toEqual({ code: 0, signal: null });
    });

    it('on SIGTERM puts its running task back in the queue and exits cleanly', async () => {
      const worker = await start(['worker']);
      const output = file('output.txt');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 1000, stepMs: 20, output });
      await waitFor('the task under way', async () => ((await taskRow(t.db, task.id)).progress ?? 0) > 0);
      const asked = Date.now();
      expect(await stop(worker)).toEqual({ code: 0, signal: null });
      expect(Date.now() - asked).toBeLessThan(5000);
      expect(worker.stdout).toContain('SIGTERM: stopping; running tasks are finished or queued again');
      const row = await taskRow(t.db, task.id);
      expect(row).toMatchObject({ state: 'queued', attempts: 1, worker_pid: null });
      expect(row.reason).toBe('attempt 1 was interrupted: the worker was stopped (SIGTERM) before it finished; queued again');
      expect(existsSync(output)).toBe(false);
    });

    it('runs tasks inside openrem serve, unless --no-worker', async () => {
      const server = await start(['serve', '--host', '127.0.0.1', '--port', '0']);
      expect(server.stdout).toContain('tasks run here, 1 at a time');
      const task = await enqueueTask(t.db, retryableSteps, { steps: 2, stepMs: 10 });
      const row = await waitForState(t.db, task.id, ['done', 'failed', 'aborted']);
      expect(row).toMatchObject({ state: 'done', worker_pid: server.pid });
      expect(await stop(server)).toEqual({ code: 0, signal: null });

      const webOnly = await start(['serve', '--host', '127.0.0.1', '--port', '0', '--no-worker']);
      expect(webOnly.stdout).toContain('tasks run by openrem worker');
      const waiting = await enqueueTask(t.db, retryableSteps, { steps: 1, stepMs: 0 });
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await taskRow(t.db, waiting.id)).state).toBe('queued');
      expect(await stop(webOnly)).toEqual({ code: 0, signal: null });
    });
  });
}
