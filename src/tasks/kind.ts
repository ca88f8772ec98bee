// What a kind of background task is: its name, how its parameters are checked, whether it
// may be started again after a worker died, and the handler that does the work. Workers run
// only the kinds in the registry they are given.
import type { Logger } from 'pino';
import type { Db } from '../db/connect.js';
import type { Actor } from './queue.js';

/** Anything with a zod-style `parse`: throws on bad input, returns the typed value. */
export interface ParamsSchema<P> {
  parse(value: unknown): P;
}

export interface TaskContext {
  readonly taskId: number;
  /** 1 on the first run; more when the task was started again after its worker died. */
  readonly attempt: number;
  /** The user who queued it (name null for the system). */
  readonly startedBy: Actor;
  readonly db: Db;
  /** The data folder: exports and other output go under it. */
  readonly dataDir: string;
  /**
   * Fires when the task is aborted, its worker stops, or another worker took it over. Long
   * loops check it (`signal.throwIfAborted()`) and pass it to anything that accepts one.
   */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * How far it is (0..1, or null when unknown) and what it is doing. Cheap: call it as often
   * as you like; the worker writes the latest value about once a second.
   */
  progress(fraction: number | null, message?: string): void;
  /**
   * A file or folder to delete should the task not finish (failed, aborted, interrupted). Not
   * deleted when another worker took the task over: its run may be using the same paths.
   */
  removeOnFailure(path: string): void;
  /**
   * Before a step that cannot be undone (output taking its final name): throws, and fires the
   * signal, when the task is no longer this run's (another worker took it over after a stall).
   */
  confirmStillMine(): Promise<void>;
}

/** A task whose run was cut short with its worker, as its kind's `abandoned` clean-up sees it. */
export interface AbandonedTask<P> {
  readonly taskId: number;
  readonly params: P;
  readonly db: Db;
  readonly dataDir: string;
  readonly log: Logger;
}

export interface TaskKind<P = unknown, R = unknown> {
  /** Stable identifier stored with each task, e.g. "export.ct". Never rename a shipped one. */
  readonly name: string;
  /** What the interface calls it when enqueue gives no label, e.g. "CT export". */
  readonly title: string;
  readonly params: ParamsSchema<P>;
  /**
   * The handler may run again from the start after its worker died or stopped mid-run
   * (it is idempotent, or overwrites its own partial output). Default false: such a task fails.
   */
  readonly retry?: boolean;
  /** Runs in all, when `retry` is on (default 3). */
  readonly maxAttempts?: number;
  /** Does the work; returns what the task page and its JSON show (JSON-serialisable). */
  run(params: P, ctx: TaskContext): Promise<R>;
  /**
   * Removes what a run left when its worker died (`removeOnFailure` paths die with it), once
   * the task has ended failed or aborted without running again. Called by the worker that
   * found it, so it must not assume the run's own process or memory.
   */
  abandoned?(task: AbandonedTask<P>): Promise<void>;
}

/** A kind whose parameter and result types do not matter here (workers, the registry). */
export type AnyTaskKind = TaskKind<unknown, unknown>;

const DEFAULT_MAX_ATTEMPTS = 3;

/** How many runs a task of this kind gets. */
export function maxAttemptsOf(kind: AnyTaskKind): number {
  return kind.retry ? Math.max(1, kind.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) : 1;
}

/** Identity, for type inference: `defineTaskKind({ name, params: z.object(...), async run(p, ctx) {...} })`. */
export function defineTaskKind<P, R>(kind: TaskKind<P, R>): TaskKind<P, R> {
  return kind;
}

const NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export class TaskRegistry {
  readonly #kinds = new Map<string, AnyTaskKind>();

  constructor(kinds: readonly AnyTaskKind[] = []) {
    for (const kind of kinds) this.register(kind);
  }

  register(kind: AnyTaskKind): void {
    if (!NAME.test(kind.name)) throw new Error(`task kind name "${kind.name}" must be lower-case words joined by dots`);
    if (this.#kinds.has(kind.name)) throw new Error(`task kind "${kind.name}" is registered twice`);
    this.#kinds.set(kind.name, kind);
  }

  get(name: string): AnyTaskKind | undefined {
    return this.#kinds.get(name);
  }

  names(): string[] {
    return [...this.#kinds.keys()].sort();
  }
}
