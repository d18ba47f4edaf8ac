/**
 * A one-line progress indicator on standard error, shown only when standard error is a terminal
 * and the work is large enough to be worth watching. Redraws at most every 250 ms.
 */
export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly totalBytes: number,
    stream: NodeJS.WriteStream = process.stderr,
    minBytes = 8 * 1024 * 1024,
  ) {
    this.stream = stream;
    this.enabled = stream.isTTY === true && totalBytes >= minBytes;
  }

  private readonly stream: NodeJS.WriteStream;

  update(doneBytes: number, detail: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 250) return;
    this.lastDraw = now;
    const pct = this.totalBytes > 0 ? Math.min(100, (100 * doneBytes) / this.totalBytes).toFixed(1) : '?';
    this.stream.write(`\r\x1b[K${pct}% of ${formatBytes(this.totalBytes)} · ${detail}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
