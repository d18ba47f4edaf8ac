import { nodeFiles, type FileLayer, type WritableFile } from '../../src/fs/file-layer.js';

type Op = 'open' | 'write' | 'datasync' | 'truncate' | 'close' | 'rename' | 'remove' | 'syncDir';

/**
 * The real disk (nodeFiles) with a record of every durable operation, in order, and two faults a
 * test can arm: hold the next operation of a kind until released, or make it fail with an errno
 * code. The production code runs unchanged on top of it.
 */
export class RecordingFiles implements FileLayer {
  readonly ops: { op: Op; path: string }[] = [];
  private readonly holds = new Map<Op, Promise<void>>();
  private readonly failures = new Map<Op, { code: string; filter: (path: string) => boolean; times: number }>();

  /** The next `op` waits until the returned function is called. */
  holdNext(op: Op): () => void {
    let release!: () => void;
    this.holds.set(op, new Promise<void>((r) => (release = r)));
    return release;
  }

  /** The next `times` `op`s on a path that `filter` accepts fail with `code` (EIO, ENOSPC...). */
  failNext(op: Op, code: string, filter: (path: string) => boolean = () => true, times = 1): void {
    this.failures.set(op, { code, filter, times });
  }

  async waitFor(op: Op, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.ops.some((o) => o.op === op)) {
      if (Date.now() > until) throw new Error(`no ${op} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private async step(op: Op, path: string): Promise<void> {
    this.ops.push({ op, path });
    const hold = this.holds.get(op);
    if (hold !== undefined) {
      this.holds.delete(op);
      await hold;
    }
    const failure = this.failures.get(op);
    if (failure !== undefined && failure.filter(path)) {
      if (--failure.times <= 0) this.failures.delete(op);
      throw Object.assign(new Error(`${failure.code}: injected ${op} failure on ${path}`), { code: failure.code });
    }
  }

  async open(path: string, flags: string): Promise<WritableFile> {
    await this.step('open', path);
    const file = await nodeFiles.open(path, flags);
    return {
      write: async (buffer, offset, length, position) => {
        await this.step('write', path);
        return file.write(buffer, offset, length, position);
      },
      datasync: async () => {
        await this.step('datasync', path);
        await file.datasync();
      },
      truncate: async (length) => {
        await this.step('truncate', path);
        await file.truncate(length);
      },
      close: async () => {
        this.ops.push({ op: 'close', path });
        await file.close();
      },
    };
  }

  async rename(from: string, to: string): Promise<void> {
    await this.step('rename', to);
    await nodeFiles.rename(from, to);
  }

  async remove(path: string): Promise<void> {
    await this.step('remove', path);
    await nodeFiles.remove(path);
  }

  async syncDir(dir: string): Promise<void> {
    await this.step('syncDir', dir);
    await nodeFiles.syncDir(dir);
  }
}
