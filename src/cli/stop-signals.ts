// Ctrl+C at a terminal (SIGINT) and a service manager's SIGTERM end a long command between
// its steps, so what it has done is still reported; a second signal ends the process at once.
export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface StopOnSignals {
  /** Fires, with `reason(signal)` as its reason, at the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** Stops listening (the command has ended). */
  release(): void;
}

export function stopOnSignals(reason: (signal: StopSignal) => unknown): StopOnSignals {
  const controller = new AbortController();
  const release = () => {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  };
  const stopWith = (signal: StopSignal) => () => {
    release();
    controller.abort(reason(signal));
  };
  const onSigint = stopWith('SIGINT');
  const onSigterm = stopWith('SIGTERM');
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  return { signal: controller.signal, release };
}
