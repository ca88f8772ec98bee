// Writing lines to stdout with back-pressure, so large dumps piped to a slow reader neither
// buffer everything in memory nor lose the tail when the process exits. A reader that stops
// early (`| head`) closes the pipe: the command then stops writing and ends without an error.

/** The reader of stdout has gone; the command has nothing more to do. */
export class OutputClosedError extends Error {
  constructor() {
    super('the reader of the output has closed it');
  }
}

let closed = false;
let watching = false;

function watchStdout(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
    // A write waiting for room would otherwise wait for ever.
    process.stdout.emit('drain');
  });
}

export function writeLine(line: string): Promise<void> | void {
  watchStdout();
  if (closed) throw new OutputClosedError();
  if (process.stdout.write(line + '\n')) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}
