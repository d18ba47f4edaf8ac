import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { SecretwatchError } from '../../errors/codes.js';
import { nodeFiles, truncateDurably, writeAll, type FileLayer, type WritableFile } from '../../fs/file-layer.js';
import { readRecords } from './read-records.js';
import { encodeRecord, type WalRecord } from './wal-record.js';

/**
 * The write-ahead log of the detector: the events of every acknowledged request, fdatasync'd before
 * the request is answered, so that the state a `kill -9` loses (everything since the last snapshot)
 * is rebuilt at start by replaying them onto that snapshot.
 *
 * Layout of the folder (`<state dir>/wal/`): `wal-<first seq>.log` files (zero-padded so names sort
 * in order), records numbered 0, 1, 2... without gaps across files (wal-record.ts). Appends go to
 * the newest file; `rotate` starts a new one when a snapshot is taken, and `dropThrough` deletes the
 * files whose records the saved snapshot includes.
 *
 * Appends that arrive while a write is in progress are written together by the next one (group
 * commit): one write and one fdatasync for many requests. A failed write or sync rejects that batch
 * and everything queued behind it, cuts the file back to its last synced size, and refuses appends
 * until `reset()`: the records behind a failed one were scored on a state that included it, so
 * they cannot stand alone. If even the cut fails, the log is unusable (`unusable` set) until restart.
 */
const NAME = /^wal-(\d{16})\.log$/;

function fileName(firstSeq: number): string {
  return `wal-${String(firstSeq).padStart(16, '0')}.log`;
}

interface LogFile {
  path: string;
  /** Synced bytes: whole records only. */
  bytes: number;
  /** Last record in the file; -1 when none. */
  lastSeq: number;
}

interface Pending {
  seq: number;
  frame: Buffer;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

export interface WalStats {
  records: number;
  bytes_written: number;
  syncs: number;
  write_errors: number;
}

export interface OpenedWal {
  wal: WriteAheadLog;
  /** Records replayed (passed to `visit`) and the events in them. */
  replayed: { records: number; events: number };
  /** Bytes of an incomplete last record (a write cut by a crash: never acknowledged), cut away. */
  tornBytes: number;
}

function corrupt(path: string, why: string): SecretwatchError {
  return new SecretwatchError('SW_STATE_CORRUPT', `write-ahead log ${path} is damaged: ${why}; move the wal folder aside to start from the last snapshot`);
}

export class WriteAheadLog {
  readonly stats: WalStats = { records: 0, bytes_written: 0, syncs: 0, write_errors: 0 };
  private pending: Pending[] = [];
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private failure: SecretwatchError | undefined;
  /** Set when a failed write could not be cut back: the file may hold records nobody was told were stored. */
  unusable: SecretwatchError | undefined;

  private constructor(
    readonly dir: string,
    private readonly files: FileLayer,
    private readonly logFiles: LogFile[],
    private active: WritableFile,
    private nextSeq: number,
  ) {}

  /**
   * Opens the log in `dir` (created when missing) for a detector restored from a snapshot that
   * includes records up to `walThrough` (null: a snapshot that knows no log, or none: every record
   * applies), calling `visit` with each record to replay onto it, in order, one at a time (memory
   * stays bounded however long the log). Appends then go to a new file.
   */
  static async open(dir: string, walThrough: number | null, files: FileLayer, visit: (record: WalRecord) => void): Promise<OpenedWal> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir))
      .map((name) => ({ name, first: NAME.exec(name)?.[1] }))
      .filter((f): f is { name: string; first: string } => f.first !== undefined)
      .sort((a, b) => Number(a.first) - Number(b.first));
    const replayed = { records: 0, events: 0 };
    const kept: LogFile[] = [];
    let tornBytes = 0;
    let previous: number | undefined;
    let removed = false;
    for (const [i, { name }] of names.entries()) {
      const path = join(dir, name);
      const size = (await stat(path)).size;
      const file: LogFile = { path, bytes: 0, lastSeq: -1 };
      const { end, problem } = await readRecords(path, size, (record) => {
        if (previous !== undefined && record.seq !== previous + 1) throw corrupt(path, `record ${record.seq} follows record ${previous}`);
        previous = record.seq;
        file.lastSeq = record.seq;
        if (walThrough !== null && record.seq <= walThrough) return;
        if (replayed.records === 0 && walThrough !== null && record.seq !== walThrough + 1) {
          throw corrupt(dir, `the log continues at record ${record.seq} but the snapshot ends at record ${walThrough}`);
        }
        visit(record);
        replayed.records++;
        replayed.events += record.events.length;
      });
      if (problem !== undefined) {
        // Only the newest file can end in a cut write: older ones were complete when rotated.
        if (i !== names.length - 1) throw corrupt(path, `${problem.why} at byte ${end}`);
        tornBytes += size - end;
        await truncateDurably(files, path, end);
      }
      file.bytes = end;
      if (file.lastSeq === -1 || (walThrough !== null && file.lastSeq <= walThrough)) {
        await files.remove(path);
        removed = true;
      } else kept.push(file);
    }
    const nextSeq = Math.max((previous ?? -1) + 1, (walThrough ?? -1) + 1);
    if (removed) await files.syncDir(dir);
    const { file, handle } = await createFile(dir, nextSeq, files);
    kept.push(file);
    return { wal: new WriteAheadLog(dir, files, kept, handle, nextSeq), replayed, tornBytes };
  }

  /** Sequence number of the last record appended (synced or on its way); -1 before the first. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Bytes of log files on disk. */
  get bytes(): number {
    return this.logFiles.reduce((n, f) => n + f.bytes, 0);
  }

  /** Whether appends are refused (a write failed and `reset` has not been called, or the log is unusable). */
  get refusing(): boolean {
    return this.failure !== undefined || this.unusable !== undefined;
  }

  /** Queues a record; resolves with its sequence number once it is fdatasync'd. */
  append(clockMs: number, events: readonly SecretAccessEvent[]): Promise<number> {
    const refused = this.unusable ?? this.failure;
    if (refused !== undefined) return Promise.reject(refused);
    const seq = this.nextSeq++;
    const frame = encodeRecord(seq, clockMs, events);
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ seq, frame, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        void this.enqueue(() => this.flush());
      }
    });
  }

  /** Accepts appends again after a failure (the caller has rebuilt its state from what is synced). */
  reset(): void {
    this.failure = undefined;
  }

  /** Resolves when every queued write has finished (succeeded or failed). */
  async settle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.chain || this.pending.length > 0) {
      seen = this.chain;
      await seen;
    }
  }

  /** Calls `visit` with every synced record after `after` (null: all), in order: to rebuild state after a failure. */
  async replaySynced(after: number | null, visit: (record: WalRecord) => void): Promise<{ records: number; events: number }> {
    await this.settle();
    const replayed = { records: 0, events: 0 };
    for (const file of this.logFiles) {
      if (file.bytes === 0 || (after !== null && file.lastSeq <= after)) continue;
      const { end, problem } = await readRecords(file.path, file.bytes, (record) => {
        if (after !== null && record.seq <= after) return;
        visit(record);
        replayed.records++;
        replayed.events += record.events.length;
      });
      if (problem !== undefined) throw corrupt(file.path, `${problem.why} at byte ${end}`);
    }
    return replayed;
  }

  /** Starts a new file for the records after `lastSeq` (call with nothing in flight: at a snapshot). */
  rotate(): Promise<void> {
    return this.enqueue(async () => {
      const current = this.logFiles[this.logFiles.length - 1];
      if (current === undefined || current.bytes === 0) return;
      // The new file first: if it cannot be created, appends go on into the current one.
      const { file, handle } = await createFile(this.dir, this.nextSeq, this.files);
      const previous = this.active;
      this.logFiles.push(file);
      this.active = handle;
      await previous.close().catch(() => undefined);
    });
  }

  /** Deletes the files whose records all are at or before `seq` (a saved snapshot includes them). */
  dropThrough(seq: number): Promise<void> {
    return this.enqueue(async () => {
      let removed = false;
      while (this.logFiles.length > 1) {
        const oldest = this.logFiles[0] as LogFile;
        if (oldest.lastSeq > seq) break;
        await this.files.remove(oldest.path);
        this.logFiles.shift();
        removed = true;
      }
      if (removed) await this.files.syncDir(this.dir);
    });
  }

  async close(): Promise<void> {
    await this.settle();
    await this.active.close().catch(() => undefined);
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const refused = this.unusable ?? this.failure;
    if (refused !== undefined) {
      for (const p of batch) p.reject(refused);
      return;
    }
    const file = this.logFiles[this.logFiles.length - 1] as LogFile;
    const buf = batch.length === 1 ? (batch[0] as Pending).frame : Buffer.concat(batch.map((p) => p.frame));
    try {
      await writeAll(this.active, buf, file.bytes);
      await this.active.datasync();
    } catch (err) {
      this.stats.write_errors++;
      const error = new SecretwatchError('SW_WAL_IO', `cannot write the write-ahead log ${file.path}: ${(err as Error).message}`, { cause: err });
      this.failure = error;
      // The failed records are cut away below: their numbers are given again, so the log stays gapless.
      this.nextSeq = (batch[0] as Pending).seq;
      try {
        await this.active.truncate(file.bytes);
        await this.active.datasync();
      } catch (cutErr) {
        this.unusable = new SecretwatchError('SW_WAL_IO', `write-ahead log ${file.path} cannot be cut back after a failed write: ${(cutErr as Error).message}`, { cause: cutErr });
      }
      const behind = this.pending;
      this.pending = [];
      for (const p of [...batch, ...behind]) p.reject(error);
      return;
    }
    file.bytes += buf.length;
    file.lastSeq = (batch[batch.length - 1] as Pending).seq;
    this.stats.records += batch.length;
    this.stats.bytes_written += buf.length;
    this.stats.syncs++;
    for (const p of batch) p.resolve(p.seq);
  }
}

async function createFile(dir: string, firstSeq: number, files: FileLayer): Promise<{ file: LogFile; handle: WritableFile }> {
  const path = join(dir, fileName(firstSeq));
  // A file of that name can only be an empty leftover (one with records would have moved firstSeq on).
  await files.remove(path);
  const handle = await files.open(path, 'wx');
  await files.syncDir(dir);
  return { file: { path, bytes: 0, lastSeq: -1 }, handle };
}
