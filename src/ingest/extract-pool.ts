// Worker threads that read and extract files for a bulk import, so the main thread only
// stores them: reading and extraction take about twice as long as storing, and a server has
// more than one core. Whatever goes wrong with a worker, the file is read on the main thread
// instead (the same function), so results never depend on the pool.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { readAndExtract, type FileReading } from './read-extract.js';

const WORKER_SCRIPT = new URL('./extract-worker.js', import.meta.url);

type Answer = { id: number; reading: FileReading } | { id: number; error: string };

interface Pending {
  file: string;
  worker: Worker;
  resolve: (r: FileReading | PromiseLike<FileReading>) => void;
}

export class ExtractPool {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #log: Logger | undefined;
  #lastId = 0;
  #turn = 0;
  #broken = false;

  private constructor(size: number, script: URL, log: Logger | undefined) {
    this.#log = log;
    for (let i = 0; i < size; i++) {
      const worker = new Worker(script);
      worker.on('message', (answer: Answer) => this.#answer(answer));
      worker.on('error', (err) => this.#lose(worker, `failed: ${err.message}`));
      worker.on('exit', (code) => this.#lose(worker, `stopped (exit code ${code})`));
      this.#workers.push(worker);
    }
  }

  /**
   * A pool of `size` workers (by default one per core but one, at most four), or null when
   * workers cannot run here: the worker script exists only in the built code.
   */
  static start(opts: { size?: number; script?: URL; log?: Logger } = {}): ExtractPool | null {
    const size = opts.size ?? Math.min(4, availableParallelism() - 1);
    const script = opts.script ?? WORKER_SCRIPT;
    if (size < 1 || !existsSync(fileURLToPath(script))) return null;
    return new ExtractPool(size, script, opts.log);
  }

  get size(): number {
    return this.#workers.length;
  }

  extract(file: string): Promise<FileReading> {
    if (this.#broken) return readAndExtract(file);
    const worker = this.#workers[this.#turn++ % this.#workers.length]!;
    const id = ++this.#lastId;
    return new Promise((resolve) => {
      this.#pending.set(id, { file, worker, resolve });
      worker.postMessage({ id, file });
    });
  }

  #answer(answer: Answer): void {
    const pending = this.#pending.get(answer.id);
    if (!pending) return;
    this.#pending.delete(answer.id);
    if ('reading' in answer) pending.resolve(answer.reading);
    else {
      this.#log?.warn({ file: pending.file, err: answer.error }, 'extract worker could not read a file; reading it here');
      pending.resolve(readAndExtract(pending.file));
    }
  }

  /** A worker that fails or stops ends the pool: its files, and all later ones, are read here. */
  #lose(worker: Worker, what: string): void {
    if (!this.#broken) {
      this.#broken = true;
      this.#log?.warn(`extract worker ${what}; reading the remaining files on the main thread`);
      for (const w of this.#workers) if (w !== worker) void w.terminate();
    }
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.resolve(readAndExtract(pending.file));
    }
  }

  async close(): Promise<void> {
    this.#broken = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
