// The worker options of openrem serve and openrem worker: where the concurrency comes from,
// what is refused, and --no-worker, which excludes a concurrency.
import { describe, expect, it } from 'vitest';
import { takeWorkerOptions } from '../../src/cli/worker.js';

describe('worker options', () => {
  it('take the concurrency from the command line, else OPENREM_WORKERS, else 1, and leave the rest', () => {
    expect(takeWorkerOptions(['--port', '0'], {})).toMatchObject({ worker: { concurrency: 1 }, rest: ['--port', '0'] });
    expect(takeWorkerOptions([], { OPENREM_WORKERS: '3' }).worker?.concurrency).toBe(3);
    expect(takeWorkerOptions(['--concurrency=2'], { OPENREM_WORKERS: '3' }).worker?.concurrency).toBe(2);
    expect(takeWorkerOptions(['--no-worker'], { OPENREM_WORKERS: '3' }).worker).toBeNull();
  });

  it('refuse a missing or impossible concurrency, and --no-worker with a concurrency', () => {
    expect(() => takeWorkerOptions(['--concurrency'], {})).toThrow('--concurrency needs a value');
    expect(() => takeWorkerOptions(['--concurrency', '0'], {})).toThrow();
    expect(() => takeWorkerOptions(['--no-worker', '--concurrency', '3'], {})).toThrow('--no-worker and --concurrency exclude each other: tasks run here, or by openrem worker');
  });
});
