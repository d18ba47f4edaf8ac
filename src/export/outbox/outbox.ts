import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import type { Alert } from '../../../detectors/alerts/alert.js';
import { SecretwatchError } from '../../errors/codes.js';
import { writeAckCursor } from './ack-cursor.js';
import { lockDir } from './dir-lock.js';
import type { EntryQueue, IndexEntry, Segment } from './entry-queue.js';
import { encodeLine, LINE_OVERHEAD_BYTES, parseLine } from './entry-line.js';
import { readExactly, writeAll } from './file-io.js';
import { fsyncDir } from './fsync-dir.js';
import { recoverOutbox } from './recover.js';
import { segmentName } from './segment-name.js';
import { OUTBOX_DEFAULTS, type OutboxDepth, type OutboxEntry, type OutboxOptions, type OutboxStats } from './types.js';

/**
 * A durable, bounded queue of alerts on disk: what is appended survives a backend outage, a
 * restart and kill -9, until the sender acknowledges it.
 *
 * Layout of `dir`:
 * - `seg-<first seq>.jsonl`: append-only segment files, one entry per line
 *   (`{"seq":N,"at":MS,"alert":{...}}`). Appends go to the newest segment until it reaches
 *   `segment_max_bytes`; a segment file is deleted once every line in it is acknowledged.
 * - `acked.json`: the acknowledgement cursor (see ack-cursor.ts).
 * - `outbox.lock`: the owner's pid (see dir-lock.ts).
 *
 * Durability: `append` resolves only after its lines are written and fdatasync'd (and, for a new
 * segment file, the folder synced). Appends that arrive while a write is in progress are written
 * together by the next one (group commit): one fsync for many callers. Only synced lines are
 * visible to `peek`, so nothing is sent that a crash could take back.
 *
 * Delivery is at least once: an alert exported but not yet acknowledged when the process dies is
 * sent again after the restart; it carries its stable `secretwatch.alert.id` so the backend can
 * drop the duplicate.
 *
 * Memory: only an index of unacknowledged lines is kept (offsets, not alerts); `peek` reads the
 * alerts back from disk.
 *
 * All file operations run one at a time on an internal chain, so a peek never reads a file that an
 * acknowledgement is deleting.
 */
interface PendingAppend {
  jsons: string[];
  reservedBytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface ActiveSegment {
  segment: Segment;
  handle: FileHandle;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new SecretwatchError('SW_CONFIG_INVALID', `outbox.${name} must be a positive integer (got ${String(value)})`);
  }
  return v;
}

function ioError(what: string, err: unknown): SecretwatchError {
  if (err instanceof SecretwatchError) return err;
  return new SecretwatchError('SW_OUTBOX_IO', `outbox: cannot ${what}: ${(err as Error).message}`, { cause: err });
}

export class Outbox {
  readonly stats: OutboxStats;
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly maxAlerts: number;
  private readonly segmentMaxBytes: number;
  private readonly now: () => number;
  private readonly segments: Segment[];
  private readonly queue: EntryQueue;
  private active: ActiveSegment | undefined;
  private nextSeq: number;
  private ackedThrough: number;
  private persistedThrough: number;
  private liveAlerts: number;
  private liveBytes: number;
  private diskBytes: number;
  private pending: PendingAppend[] = [];
  private pendingAlerts = 0;
  private pendingBytes = 0;
  private flushScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    dir: string,
    options: OutboxOptions,
    recovered: Awaited<ReturnType<typeof recoverOutbox>>,
    private readonly unlock: () => Promise<void>,
  ) {
    this.dir = dir;
    this.maxBytes = positiveInt('max_bytes', options.max_bytes, OUTBOX_DEFAULTS.max_bytes);
    this.maxAlerts = positiveInt('max_alerts', options.max_alerts, OUTBOX_DEFAULTS.max_alerts);
    this.segmentMaxBytes = positiveInt('segment_max_bytes', options.segment_max_bytes, OUTBOX_DEFAULTS.segment_max_bytes);
    this.now = options.now ?? Date.now;
    this.segments = recovered.segments;
    this.queue = recovered.queue;
    this.nextSeq = recovered.nextSeq;
    this.ackedThrough = recovered.ackedThrough;
    this.persistedThrough = recovered.ackedThrough;
    this.liveAlerts = recovered.liveAlerts;
    this.liveBytes = recovered.liveBytes;
    this.diskBytes = recovered.diskBytes;
    this.stats = {
      appended: 0,
      acked: 0,
      rejected_full: 0,
      write_errors: 0,
      recovered: recovered.liveAlerts,
      torn_lines: recovered.tornLines,
      corrupt_lines: recovered.corruptLines,
      cursor_ahead: recovered.cursorAhead,
    };
  }

  /** Opens (creating when missing) and recovers the outbox in `options.dir`, taking its lock. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    // Validate before touching the disk, so a bad option names itself rather than an I/O error.
    positiveInt('max_bytes', options.max_bytes, OUTBOX_DEFAULTS.max_bytes);
    positiveInt('max_alerts', options.max_alerts, OUTBOX_DEFAULTS.max_alerts);
    positiveInt('segment_max_bytes', options.segment_max_bytes, OUTBOX_DEFAULTS.segment_max_bytes);
    const dir = resolvePath(options.dir);
    let unlock: () => Promise<void>;
    try {
      await mkdir(dir, { recursive: true });
      unlock = await lockDir(dir);
    } catch (err) {
      throw ioError(`open ${dir}`, err);
    }
    try {
      return new Outbox(dir, options, await recoverOutbox(dir), unlock);
    } catch (err) {
      await unlock();
      throw ioError(`recover ${dir}`, err);
    }
  }

  /**
   * Stores the alerts; resolves once they are on disk and synced. All or none: when they do not
   * fit in `max_alerts` / `max_bytes` it rejects with `SW_OUTBOX_FULL` at once and stores nothing
   * (counted in `stats.rejected_full`), so the caller can stop intake and try again later.
   */
  append(alerts: readonly Alert[]): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(this.closedError());
    if (alerts.length === 0) return Promise.resolve();
    const jsons = alerts.map((a) => JSON.stringify(a));
    let reservedBytes = 0;
    for (const json of jsons) reservedBytes += Buffer.byteLength(json) + LINE_OVERHEAD_BYTES;
    const alertsAfter = this.liveAlerts + this.pendingAlerts + jsons.length;
    const bytesAfter = this.diskBytes + this.pendingBytes + reservedBytes;
    if (alertsAfter > this.maxAlerts || bytesAfter > this.maxBytes) {
      this.stats.rejected_full += jsons.length;
      return Promise.reject(
        new SecretwatchError(
          'SW_OUTBOX_FULL',
          `outbox ${this.dir} is full: ${this.liveAlerts + this.pendingAlerts} alert(s), ${this.diskBytes + this.pendingBytes} byte(s) ` +
            `held, ${jsons.length} more would pass max_alerts ${this.maxAlerts} or max_bytes ${this.maxBytes}`,
        ),
      );
    }
    this.pendingAlerts += jsons.length;
    this.pendingBytes += reservedBytes;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ jsons, reservedBytes, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        void this.enqueue(() => this.flushPending()).catch(() => undefined);
      }
    });
  }

  /**
   * Up to `max` unacknowledged alerts, oldest first, without removing them; stops before
   * `maxBytes` of lines (but always returns at least one when there is one).
   */
  peek(max: number, maxBytes = Number.POSITIVE_INFINITY): Promise<OutboxEntry[]> {
    if (this.closing !== undefined) return Promise.reject(this.closedError());
    return this.enqueue(() => this.readEntries(max, maxBytes));
  }

  /**
   * Marks entries delivered (by `OutboxEntry.seq`; unknown or repeated numbers are ignored).
   * The in-memory state changes at once; the promise resolves when the cursor is stored and fully
   * acknowledged segment files are deleted.
   */
  ack(seqs: readonly number[]): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(this.closedError());
    let changed = false;
    for (const seq of seqs) {
      const entry = this.queue.find(seq);
      if (entry === undefined || entry.acked) continue;
      this.markAcked(entry);
      this.stats.acked++;
      changed = true;
    }
    if (!changed) return Promise.resolve();
    return this.enqueue(() => this.compact());
  }

  depth(): OutboxDepth {
    const first = this.queue.first();
    return {
      alerts: this.liveAlerts,
      bytes: this.liveBytes,
      disk_bytes: this.diskBytes,
      segments: this.segments.length,
      oldest_age_ms: first === undefined ? 0 : Math.max(0, this.now() - first.at),
    };
  }

  /** True when one more alert of `bytes` would fit (a cheap check before taking work in). */
  hasRoom(bytes = 0): boolean {
    return (
      this.liveAlerts + this.pendingAlerts < this.maxAlerts &&
      this.diskBytes + this.pendingBytes + bytes + LINE_OVERHEAD_BYTES <= this.maxBytes
    );
  }

  /** Calls `listener` after each write that made alerts available to `peek`; returns the unsubscribe function. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes what was already appended, closes the files and releases the lock. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.enqueue(async () => {
      if (this.active !== undefined) await this.retireActive();
    }).finally(() => this.unlock());
    return this.closing;
  }

  private closedError(): SecretwatchError {
    return new SecretwatchError('SW_OUTBOX_CLOSED', `outbox ${this.dir} is closed`);
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private markAcked(entry: IndexEntry): void {
    entry.acked = true;
    entry.segment.live--;
    this.liveAlerts--;
    this.liveBytes -= entry.length;
    const through = this.queue.dropAckedHead();
    if (through !== undefined) this.ackedThrough = through;
  }

  private async flushPending(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    let reserved = 0;
    let count = 0;
    for (const p of batch) {
      reserved += p.reservedBytes;
      count += p.jsons.length;
    }
    const at = this.now();
    try {
      const { segment, handle } = await this.activeFor(reserved);
      const lines: string[] = [];
      const added: IndexEntry[] = [];
      let offset = segment.bytes;
      for (const p of batch) {
        for (const json of p.jsons) {
          const line = encodeLine(this.nextSeq, at, json);
          const length = Buffer.byteLength(line);
          added.push({ seq: this.nextSeq, segment, offset, length, at, acked: false });
          // Consumed even if the write fails: a number is never given to two different lines.
          this.nextSeq++;
          offset += length;
          lines.push(line);
        }
      }
      const buf = Buffer.from(lines.join(''), 'utf8');
      await writeAll(handle, buf, segment.bytes);
      await handle.datasync();
      segment.bytes += buf.length;
      segment.live += added.length;
      this.diskBytes += buf.length;
      this.liveAlerts += added.length;
      this.liveBytes += buf.length;
      for (const e of added) this.queue.push(e);
      this.stats.appended += count;
    } catch (err) {
      this.stats.write_errors++;
      this.pendingAlerts -= count;
      this.pendingBytes -= reserved;
      await this.abandonActive();
      const error = ioError(`write ${count} alert(s) to ${this.dir}`, err);
      for (const p of batch) p.reject(error);
      return;
    }
    this.pendingAlerts -= count;
    this.pendingBytes -= reserved;
    for (const p of batch) p.resolve();
    for (const listener of this.listeners) listener();
  }

  /** The segment to write `bytes` more into: the current one unless it is full, else a new file. */
  private async activeFor(bytes: number): Promise<ActiveSegment> {
    if (this.active !== undefined && this.active.segment.bytes > 0 && this.active.segment.bytes + bytes > this.segmentMaxBytes) {
      await this.retireActive();
    }
    if (this.active === undefined) {
      const name = segmentName(this.nextSeq);
      const path = join(this.dir, name);
      const handle = await open(path, 'wx');
      const segment: Segment = { name, path, bytes: 0, live: 0 };
      this.segments.push(segment);
      this.active = { segment, handle };
      await fsyncDir(this.dir);
    }
    return this.active;
  }

  /** Stops writing to the current segment; deletes it when nothing in it is still unacknowledged. */
  private async retireActive(): Promise<void> {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    await active.handle.close();
    if (active.segment.live === 0) await this.deleteSegment(active.segment);
  }

  /**
   * After a failed write or sync the file may hold part of the batch: cut it back to the last
   * synced size and start a new file for the next append, so a half line never sits in front of
   * good ones.
   */
  private async abandonActive(): Promise<void> {
    const active = this.active;
    if (active === undefined) return;
    this.active = undefined;
    try {
      await active.handle.truncate(active.segment.bytes);
    } catch {
      // Left as is: recovery will skip a torn tail, and whole lines of the failed batch are
      // re-sent duplicates at worst (the caller was told the append failed and may retry).
    }
    await active.handle.close().catch(() => undefined);
    if (active.segment.live === 0) await this.deleteSegment(active.segment).catch(() => undefined);
  }

  private async deleteSegment(segment: Segment): Promise<void> {
    await rm(segment.path, { force: true });
    const i = this.segments.indexOf(segment);
    if (i >= 0) this.segments.splice(i, 1);
    this.diskBytes -= segment.bytes;
  }

  /** Stores the cursor, then deletes segment files with nothing left to send. */
  private async compact(): Promise<void> {
    try {
      if (this.ackedThrough > this.persistedThrough) {
        const through = this.ackedThrough;
        await writeAckCursor(this.dir, through);
        this.persistedThrough = through;
      }
      let deleted = false;
      for (const segment of [...this.segments]) {
        if (segment.live !== 0) continue;
        if (segment === this.active?.segment) await this.retireActive();
        else await this.deleteSegment(segment);
        deleted = true;
      }
      if (deleted) await fsyncDir(this.dir);
    } catch (err) {
      throw ioError('store acknowledgements', err);
    }
  }

  private async readEntries(max: number, maxBytes: number): Promise<OutboxEntry[]> {
    const picked: IndexEntry[] = [];
    let bytes = 0;
    for (const e of this.queue.unacked()) {
      if (picked.length >= max || (picked.length > 0 && bytes + e.length > maxBytes)) break;
      picked.push(e);
      bytes += e.length;
    }
    const out: OutboxEntry[] = [];
    let i = 0;
    while (i < picked.length) {
      // One read per run of entries in the same file.
      const first = picked[i] as IndexEntry;
      let j = i;
      while (j + 1 < picked.length && (picked[j + 1] as IndexEntry).segment === first.segment) j++;
      const last = picked[j] as IndexEntry;
      let buf: Buffer;
      try {
        buf = await readExactly(first.segment.path, first.offset, last.offset + last.length - first.offset);
      } catch (err) {
        throw ioError(`read ${first.segment.path}`, err);
      }
      for (let k = i; k <= j; k++) {
        const e = picked[k] as IndexEntry;
        const start = e.offset - first.offset;
        const parsed = parseLine(buf.toString('utf8', start, start + e.length - 1));
        if (parsed === undefined || parsed.seq !== e.seq) {
          // Damaged on disk after it was synced: it cannot be sent, and holding it would block
          // every alert behind it. Counted and dropped.
          this.stats.corrupt_lines++;
          this.markAcked(e);
          continue;
        }
        out.push({ seq: e.seq, appended_at: e.at, alert: parsed.alert });
      }
      i = j + 1;
    }
    return out;
  }
}
