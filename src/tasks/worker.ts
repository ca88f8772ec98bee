// A worker: runs up to `concurrency` tasks at a time in this process. Once a second (or at
// once when this process queues a task or a run ends) it
//   - recovers tasks of dead workers and prunes old history (now and then),
//   - checks its running tasks: an abort request fires the task's signal, a task taken from
//     it (re-queued elsewhere after a stall) is given up, heartbeats and progress are written,
//   - claims queued tasks of the kinds it knows while it has free slots.
// Stopping (SIGINT/SIGTERM) fires every running task's signal; a task that then ends without
// a result is queued again when its kind may run again (the interrupted run does not count
// as an attempt), failed otherwise.
// Heartbeats carry the writing machine's clock: workers sharing a queue need clocks that agree
// (NTP) to well within the stale time.
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import type { TaskRow, TaskState } from '../db/schema.js';
import { claimNextTask, thisProcess, type WorkerIdentity } from './claim.js';
import type { TaskContext, TaskRegistry } from './kind.js';
import { DEFAULT_RETENTION, pruneTasks, type Retention } from './prune.js';
import { nowIso, onTaskQueued } from './queue.js';
import { endAttempt, recoverOrphanedTasks, recoverStaleTasks, type RecoveredTask, type RecoveryOutcome } from './recovery.js';

export interface WorkerOptions {
  db: Db;
  dataDir: string;
  kinds: TaskRegistry;
  log: Logger;
  /** Tasks run at the same time (default 1). */
  concurrency?: number;
  /** How often to look for queued tasks and abort requests (default 1 s). */
  pollMs?: number;
  /** How often a running task's heartbeat is written (default 5 s). */
  heartbeatMs?: number;
  /** A running task without a heartbeat this long is taken as lost with its worker (default 60 s). */
  staleMs?: number;
  retention?: Retention;
  /** How often history is pruned (default hourly). */
  pruneEveryMs?: number;
  /** How long stop() waits for running handlers to end after their signal fired (default 10 s). */
  stopGraceMs?: number;
}

/** The reason a task's signal carries: what `signal.throwIfAborted()` throws in a handler. */
export class TaskInterruptedError extends Error {
  override name = 'AbortError';
}

type Interrupt = { why: 'abort'; by: string | null } | { why: 'stop'; cause: string } | { why: 'lost' };

/** One task this worker is running. */
class Run {
  readonly controller = new AbortController();
  interrupt: Interrupt | null = null;
  progress: number | null = null;
  message: string | null = null;
  dirty = false;
  lastBeat = Date.now();
  readonly removals: string[] = [];
  done: Promise<void> = Promise.resolve();

  constructor(readonly row: TaskRow) {}

  stop(interrupt: Interrupt): void {
    if (this.interrupt) return;
    this.interrupt = interrupt;
    const text = interrupt.why === 'abort' ? `aborted by ${interrupt.by ?? 'the system'}` : interrupt.why === 'stop' ? interrupt.cause : 'another worker took the task over';
    this.controller.abort(new TaskInterruptedError(text));
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class TaskWorker {
  readonly identity: WorkerIdentity = thisProcess();
  readonly #db: Db;
  readonly #dataDir: string;
  readonly #kinds: TaskRegistry;
  readonly #log: Logger;
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #heartbeatMs: number;
  readonly #staleMs: number;
  readonly #retention: Retention;
  readonly #pruneEveryMs: number;
  readonly #stopGraceMs: number;
  readonly #runs = new Map<number, Run>();
  #timer: NodeJS.Timeout | null = null;
  #tick: Promise<void> | null = null;
  #again = false;
  #stopping = false;
  #stopped: Promise<void> | null = null;
  #failing = false;
  #nextSweep = 0;
  #nextPrune = 0;
  #unsubscribe: (() => void) | null = null;

  constructor(opts: WorkerOptions) {
    this.#db = opts.db;
    this.#dataDir = opts.dataDir;
    this.#kinds = opts.kinds;
    this.#log = opts.log;
    this.#concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
    this.#pollMs = opts.pollMs ?? 1000;
    this.#heartbeatMs = opts.heartbeatMs ?? 5000;
    this.#staleMs = opts.staleMs ?? 60_000;
    this.#retention = opts.retention ?? DEFAULT_RETENTION;
    this.#pruneEveryMs = opts.pruneEveryMs ?? 3_600_000;
    this.#stopGraceMs = opts.stopGraceMs ?? 10_000;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /** Ids of the tasks running here now. */
  get running(): number[] {
    return [...this.#runs.keys()];
  }

  async start(): Promise<void> {
    await recoverOrphanedTasks(this.#db, this.identity, this.#log, this.#recovered);
    this.#unsubscribe = onTaskQueued(() => this.#wake());
    this.#log.info({ kinds: this.#kinds.names(), concurrency: this.#concurrency }, 'task worker started');
    this.#schedule(0);
  }

  /** Stops claiming, interrupts running tasks and waits for them to be finished or released. */
  stop(cause = 'the worker was stopped'): Promise<void> {
    this.#stopped ??= this.#stop(cause);
    return this.#stopped;
  }

  async #stop(cause: string): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    if (this.#timer) clearTimeout(this.#timer);
    await this.#tick;
    const runs = [...this.#runs.values()];
    for (const run of runs) run.stop({ why: 'stop', cause });
    let timer: NodeJS.Timeout | undefined;
    const settled = Promise.allSettled(runs.map((r) => r.done)).then(() => true);
    const waited = await Promise.race([settled, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.#stopGraceMs)))]);
    clearTimeout(timer);
    if (!waited) {
      for (const run of this.#runs.values()) {
        // The handler ignored its signal: release the task now; the fence on attempts keeps
        // whatever the handler still writes from counting.
        run.interrupt = { why: 'lost' };
        await endAttempt(this.#db, { ...run.row, abort_requested_at: null }, `${cause} before it finished`, false).catch((err: unknown) =>
          this.#log.error({ err, task: run.row.id }, 'could not release task'),
        );
      }
    }
    this.#log.info('task worker stopped');
  }

  /** A dead worker's task that will not run again: its kind removes what the run left. */
  readonly #recovered = async (task: RecoveredTask, outcome: RecoveryOutcome): Promise<void> => {
    const kind = this.#kinds.get(task.kind);
    if (outcome === 'queued' || !kind?.abandoned) return;
    const log = this.#log.child({ task: task.id, kind: task.kind });
    try {
      await kind.abandoned({ taskId: task.id, params: kind.params.parse(JSON.parse(task.params)), db: this.#db, dataDir: this.#dataDir, log });
    } catch (err) {
      log.error({ err }, `task ${task.id}: could not clean up after its interrupted run`);
    }
  };

  #schedule(ms: number): void {
    if (this.#stopping) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#runTick(), ms);
  }

  #wake(): void {
    if (this.#stopping) return;
    if (this.#tick) this.#again = true;
    else this.#schedule(0);
  }

  #runTick(): void {
    this.#timer = null;
    this.#tick = this.#cycle()
      .then(
        () => {
          if (this.#failing) this.#log.info('task queue reachable again');
          this.#failing = false;
        },
        (err: unknown) => {
          // The database may be down for a while: say so once, keep trying.
          if (!this.#failing) this.#log.error({ err }, 'task worker cannot reach the queue');
          this.#failing = true;
        },
      )
      .finally(() => {
        this.#tick = null;
        const again = this.#again;
        this.#again = false;
        this.#schedule(again ? 0 : this.#pollMs);
      });
  }

  async #cycle(): Promise<void> {
    const now = Date.now();
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + this.#staleMs / 4;
      await recoverStaleTasks(this.#db, this.#staleMs, this.#log, this.#recovered);
    }
    if (now >= this.#nextPrune) {
      this.#nextPrune = now + this.#pruneEveryMs;
      const pruned = await pruneTasks(this.#db, this.#retention);
      if (pruned) this.#log.info(`pruned ${pruned} finished tasks`);
    }
    await this.#watch(now);
    const kinds = this.#kinds.names();
    while (!this.#stopping && this.#runs.size < this.#concurrency) {
      const row = await claimNextTask(this.#db, kinds, this.identity);
      if (!row) break;
      this.#launch(row);
    }
  }

  /** Abort requests, lost claims, heartbeats and progress of the tasks running here. */
  async #watch(now: number): Promise<void> {
    if (this.#runs.size === 0) return;
    const rows = await this.#db.kysely
      .selectFrom('task')
      .select(['id', 'state', 'attempts', 'abort_requested_at', 'abort_requested_by'])
      .where('id', 'in', [...this.#runs.keys()])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const run of [...this.#runs.values()]) {
      if (run.interrupt) continue;
      const row = byId.get(run.row.id);
      if (!row || row.state !== 'running' || row.attempts !== run.row.attempts) run.stop({ why: 'lost' });
      else if (row.abort_requested_at) run.stop({ why: 'abort', by: row.abort_requested_by });
      else if (run.dirty || now - run.lastBeat >= this.#heartbeatMs) await this.#beat(run, now);
    }
  }

  async #beat(run: Run, now: number): Promise<void> {
    run.dirty = false;
    run.lastBeat = now;
    const r = await this.#fenced(run, { heartbeat_at: nowIso(), progress: run.progress, message: run.message });
    if (!r) run.stop({ why: 'lost' });
  }

  /** Writes to the task only while this run still holds its claim; false when it does not. */
  async #fenced(run: Run, values: Partial<Pick<TaskRow, 'state' | 'progress' | 'message' | 'result' | 'reason' | 'heartbeat_at' | 'finished_at'>>): Promise<boolean> {
    const r = await this.#db.kysely
      .updateTable('task')
      .set(values)
      .where('id', '=', run.row.id)
      .where('state', '=', 'running')
      .where('attempts', '=', run.row.attempts)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  #launch(row: TaskRow): void {
    const run = new Run(row);
    this.#runs.set(row.id, run);
    run.done = this.#execute(run)
      .catch((err: unknown) => this.#log.error({ err, task: row.id }, `task ${row.id}: could not record its end`))
      .finally(() => {
        this.#runs.delete(row.id);
        this.#wake();
      });
  }

  #context(run: Run, log: Logger): TaskContext {
    const { row } = run;
    return {
      taskId: row.id,
      attempt: row.attempts,
      startedBy: { id: row.started_by_id, name: row.started_by },
      db: this.#db,
      dataDir: this.#dataDir,
      signal: run.controller.signal,
      log,
      progress(fraction, message) {
        run.progress = fraction === null || Number.isNaN(fraction) ? null : Math.min(1, Math.max(0, fraction));
        if (message !== undefined) run.message = message;
        run.dirty = true;
      },
      removeOnFailure(path) {
        run.removals.push(path);
      },
      confirmStillMine: async () => {
        if (!run.interrupt && (await this.#fenced(run, { heartbeat_at: nowIso() }))) return;
        run.stop(run.interrupt ?? { why: 'lost' });
        run.controller.signal.throwIfAborted();
      },
    };
  }

  async #execute(run: Run): Promise<void> {
    const { row } = run;
    const log = this.#log.child({ task: row.id, kind: row.kind });
    // Claims are limited to registered kinds.
    const kind = this.#kinds.get(row.kind)!;
    log.info(`task ${row.id} (${row.label}) started, attempt ${row.attempts} of ${row.max_attempts}`);
    let params: unknown;
    try {
      params = kind.params.parse(JSON.parse(row.params));
    } catch (err) {
      await this.#end(run, log, 'failed', { reason: `its parameters are not valid: ${errorText(err)}` });
      return;
    }
    let result: string;
    try {
      result = JSON.stringify((await kind.run(params, this.#context(run, log))) ?? null);
    } catch (err) {
      // A run another worker took over leaves its paths alone: that run may be writing them.
      if (run.interrupt?.why !== 'lost') await this.#removePartialOutput(run, log);
      await this.#interrupted(run, log, err);
      return;
    }
    if (run.interrupt?.why === 'lost') {
      log.warn(`task ${row.id} finished, but another worker has taken it over: its result is not recorded`);
      return;
    }
    await this.#end(run, log, 'done', { result, progress: 1 });
  }

  /** The handler threw: because its signal fired, or because it failed. */
  async #interrupted(run: Run, log: Logger, err: unknown): Promise<void> {
    const { row, interrupt } = run;
    if (!interrupt) {
      log.error({ err }, `task ${row.id} failed`);
      await this.#end(run, log, 'failed', { reason: errorText(err) });
    } else if (interrupt.why === 'abort') {
      await this.#end(run, log, 'aborted', { reason: `aborted by ${interrupt.by ?? 'the system'} while it ran` });
    } else if (interrupt.why === 'stop') {
      const outcome = await endAttempt(this.#db, { ...row, abort_requested_at: null }, `${interrupt.cause} before it finished`, false);
      log.info(`task ${row.id} interrupted: ${outcome === 'queued' ? 'queued again' : (outcome ?? 'taken over')}`);
    } else {
      log.warn(`task ${row.id} given up: another worker has taken it over`);
    }
  }

  async #end(run: Run, log: Logger, state: Extract<TaskState, 'done' | 'failed' | 'aborted'>, values: { result?: string; reason?: string; progress?: number }): Promise<void> {
    // Without a reason of its own, a task keeps the note of an earlier interrupted attempt.
    const held = await this.#fenced(run, {
      state,
      finished_at: nowIso(),
      progress: values.progress ?? run.progress,
      message: run.message,
      result: values.result ?? null,
      ...(values.reason === undefined ? {} : { reason: values.reason }),
    });
    if (held) log.info(`task ${run.row.id} ${state}${values.reason ? `: ${values.reason}` : ''}`);
    else log.warn(`task ${run.row.id} ended (${state}) after another worker had taken it over: not recorded`);
  }

  async #removePartialOutput(run: Run, log: Logger): Promise<void> {
    for (const path of run.removals) {
      await rm(path, { recursive: true, force: true }).catch((err: unknown) => log.error({ err }, `could not remove partial output ${path}`));
    }
  }
}
