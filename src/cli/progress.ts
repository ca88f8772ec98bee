// A one-line progress bar on a terminal's stderr; silent when stderr is not a terminal (CI,
// pipes, log files) so logs stay clean.
export class Progress {
  private readonly enabled: boolean;
  private readonly started = Date.now();
  private lastDraw = 0;
  private shown = false;
  done = 0;

  constructor(private readonly total: number, private readonly label: string, stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = !!stream.isTTY && !process.env.CI && total > 1;
    this.stream = stream;
  }

  private readonly stream: NodeJS.WriteStream;

  tick(): void {
    this.done++;
    const now = Date.now();
    if (this.enabled && (now - this.lastDraw > 100 || this.done === this.total)) {
      this.lastDraw = now;
      this.draw();
    }
  }

  /** Prints a line above the bar. */
  log(line: string, out: NodeJS.WriteStream = process.stdout): void {
    if (this.shown) this.clear();
    out.write(line + '\n');
    if (this.shown) this.draw();
  }

  private draw(): void {
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? Math.round((this.total - this.done) / rate) : 0;
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} ${this.label}, ${rate.toFixed(1)}/s, ${eta}s left `);
    this.shown = true;
  }

  private clear(): void {
    this.stream.write('\r\x1b[K');
  }

  finish(): void {
    if (this.shown) this.clear();
    this.shown = false;
  }
}
