// Writing lines to stdout with back-pressure, so large dumps piped to a slow reader neither
// buffer everything in memory nor lose the tail when the process exits.
export function writeLine(line: string): Promise<void> | void {
  if (process.stdout.write(line + '\n')) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}
