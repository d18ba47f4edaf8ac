import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { SecretwatchError } from '../errors/codes.js';

/**
 * Buffered line output that respects backpressure: lines are batched into large writes, and
 * `flushIfFull()` waits for the stream to drain, so a slow consumer (a pipe into `less`) slows the
 * producer instead of growing memory.
 */
export class LineWriter {
  private buffer: string[] = [];
  private bufferedChars = 0;

  constructor(
    private readonly stream: Writable,
    private readonly batchChars = 256 * 1024,
  ) {}

  static toFile(path: string): Promise<LineWriter> {
    return new Promise((resolve, reject) => {
      const stream = createWriteStream(path, { flags: 'w' });
      stream.once('open', () => resolve(new LineWriter(stream)));
      stream.once('error', (err) =>
        reject(new SecretwatchError('SW_OUTPUT_UNWRITABLE', `cannot write ${path}: ${err.message}`, { cause: err })),
      );
    });
  }

  write(line: string): void {
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
  }

  get full(): boolean {
    return this.bufferedChars >= this.batchChars;
  }

  /** Writes the buffered lines when the batch is full; resolves once the stream can take more. */
  async flushIfFull(): Promise<void> {
    if (this.full) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.bufferedChars = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        this.stream.once('error', onError);
        this.stream.once('drain', () => {
          this.stream.off('error', onError);
          resolve();
        });
      });
    }
  }

  /** Flushes and, for files, closes. Standard output is left open for the process. */
  async close(): Promise<void> {
    await this.flush();
    if (this.stream === process.stdout || this.stream === process.stderr) return;
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
