import { intOption, SketchError } from './errors.js';
import type { WindowMode, WindowOptions } from './types.js';

/**
 * Event-time bookkeeping shared by the windowed sketches: which sub-window (bucket) a time falls in,
 * which ring slot holds that bucket, and when slots are recycled.
 *
 * Buckets are aligned on the epoch: bucket k covers [k*B, (k+1)*B) ms, B = W / S. The ring keeps
 * R = S + ceil(L / B) + 1 slots (L = allowed lateness): exactly enough for every window query at
 * nowMs >= watermark (= newest event time - L) and every event at or after the watermark.
 *
 * The structure advances on event time only (no clock): when an event opens a newer bucket, the
 * slots of the buckets that fall out of the ring are cleared and reused. Memory is R slots whatever
 * the number of keys. An event older than the oldest retained bucket is "late": the caller gets a
 * status to count, never an exception. Events at or after the watermark are always accepted; older
 * ones are accepted too while their bucket is retained (back to the start of the oldest bucket, about
 * W + L before the newest event): windows ending at or after the watermark still read those buckets.
 *
 * A single event far in the future (a wrong clock) moves the newest time forward and recycles the
 * whole ring: bound event times upstream if sources can produce such values.
 */
export class WindowClock {
  readonly windowMs: number;
  readonly subWindows: number;
  readonly bucketMs: number;
  readonly allowedLatenessMs: number;
  /** Number of ring slots R. */
  readonly slots: number;
  /** Index of the newest bucket seen; NaN before the first event. */
  private newest = NaN;
  private latest = -Infinity;
  /** Bucket held by each slot (NaN: never used since start). */
  private readonly slotBucket: Float64Array;
  private readonly recyclers: ((slot: number) => void)[] = [];
  private readonly resetters: (() => void)[] = [];

  constructor(options: WindowOptions) {
    this.windowMs = intOption('windowMs', options.windowMs, 1, Number.MAX_SAFE_INTEGER);
    this.subWindows = intOption('subWindows', options.subWindows, 1, 65_536);
    if (this.windowMs % this.subWindows !== 0) {
      throw new SketchError(
        'SKETCH_INVALID_OPTION',
        `option 'windowMs' (${this.windowMs}) must be a multiple of 'subWindows' (${this.subWindows})`,
      );
    }
    this.bucketMs = this.windowMs / this.subWindows;
    this.allowedLatenessMs = intOption('allowedLatenessMs', options.allowedLatenessMs ?? 0, 0, Number.MAX_SAFE_INTEGER);
    this.slots = this.subWindows + Math.ceil(this.allowedLatenessMs / this.bucketMs) + 1;
    if (this.slots > 65_536) {
      throw new SketchError('SKETCH_INVALID_OPTION', `option 'allowedLatenessMs' needs ${this.slots} sub-windows (> 65536)`);
    }
    this.slotBucket = new Float64Array(this.slots).fill(NaN);
  }

  /** Registers a function that clears one slot; called before the slot is reused. */
  onRecycle(recycle: (slot: number) => void, resetAll?: () => void): void {
    this.recyclers.push(recycle);
    // Without its own reset, a structure is reset slot by slot.
    this.resetters.push(resetAll ?? (() => this.forEachOpenSlot(recycle)));
  }

  private forEachOpenSlot(fn: (slot: number) => void): void {
    for (let s = 0; s < this.slots; s++) if (!Number.isNaN(this.slotBucket[s]!)) fn(s);
  }

  /** Newest event time seen (-Infinity before the first event). */
  get latestTimeMs(): number {
    return this.latest;
  }

  /** Newest event time minus the allowed lateness: events at or after it are always accepted. */
  get watermarkMs(): number {
    return this.latest - this.allowedLatenessMs;
  }

  /** Start of the oldest retained bucket: events before it are late (-Infinity before the first event). */
  get oldestRetainedMs(): number {
    return Number.isNaN(this.newest) ? -Infinity : this.oldestBucket * this.bucketMs;
  }

  get newestBucket(): number {
    return this.newest;
  }

  get oldestBucket(): number {
    return this.newest - this.slots + 1;
  }

  bucketOf(timeMs: number): number {
    return Math.floor(timeMs / this.bucketMs);
  }

  slotOf(bucket: number): number {
    const s = bucket % this.slots;
    return s < 0 ? s + this.slots : s;
  }

  /** The slot now holding `bucket`, or -1 when the bucket is not retained or never opened. */
  slotHolding(bucket: number): number {
    const slot = this.slotOf(bucket);
    return this.slotBucket[slot] === bucket ? slot : -1;
  }

  /**
   * Accounts for an event at `timeMs` and returns the slot to record it in: -1 when it is too
   * late, -2 when the time is not a finite number. Advancing recycles the slots of buckets that
   * leave the ring.
   */
  admit(timeMs: number): number {
    if (!Number.isFinite(timeMs)) return -2;
    const bucket = Math.floor(timeMs / this.bucketMs);
    if (Number.isNaN(this.newest)) {
      this.newest = bucket;
    } else if (bucket > this.newest) {
      if (bucket - this.newest >= this.slots) {
        // A jump past the whole ring: one reset instead of a clear per slot (with side-by-side
        // slots each clear is a pass over the whole table).
        for (const reset of this.resetters) reset();
        this.slotBucket.fill(NaN);
      } else {
        for (let b = this.newest + 1; b <= bucket; b++) this.recycle(this.slotOf(b));
      }
      this.newest = bucket;
    } else if (bucket < this.newest - this.slots + 1) {
      return -1;
    }
    if (timeMs > this.latest) this.latest = timeMs;
    const slot = this.slotOf(bucket);
    // A retained bucket that no event opened yet (before the first event): claim its clean slot.
    if (this.slotBucket[slot] !== bucket) this.slotBucket[slot] = bucket;
    return slot;
  }

  private recycle(slot: number): void {
    if (!Number.isNaN(this.slotBucket[slot]!)) for (const r of this.recyclers) r(slot);
    this.slotBucket[slot] = NaN;
  }

  /**
   * First bucket of the window (nowMs - W, nowMs] in `mode`, not older than the oldest retained.
   * Times are integer ms, so the window's first millisecond is nowMs - W + 1.
   */
  firstBucket(nowMs: number, mode: WindowMode): number {
    const start = nowMs - this.windowMs + 1;
    const b = mode === 'inside' ? Math.ceil(start / this.bucketMs) : Math.floor(start / this.bucketMs);
    return Math.max(b, this.oldestBucket);
  }

  /** Last bucket of the window ending at nowMs in `mode`, not newer than the newest. */
  lastBucket(nowMs: number, mode: WindowMode): number {
    const b = mode === 'inside' ? Math.floor((nowMs + 1) / this.bucketMs) - 1 : Math.floor(nowMs / this.bucketMs);
    return Math.min(b, this.newest);
  }

  /** Bytes `writeState` writes for a clock of `slots` slots. */
  static stateBytes(slots: number): number {
    return 8 * (5 + slots);
  }

  /** Writes options and state (float64 each: W, S, L, newest time, newest bucket, bucket per slot). */
  writeState(view: DataView, offset: number): number {
    const values = [this.windowMs, this.subWindows, this.allowedLatenessMs, this.latest, this.newest];
    values.forEach((v, i) => view.setFloat64(offset + i * 8, v, true));
    for (let s = 0; s < this.slots; s++) view.setFloat64(offset + (5 + s) * 8, this.slotBucket[s]!, true);
    return offset + WindowClock.stateBytes(this.slots);
  }

  /** A clock with the options `writeState` wrote at `offset` (validated like any options). */
  static readClock(view: DataView, offset: number): WindowClock {
    return new WindowClock({
      windowMs: view.getFloat64(offset, true),
      subWindows: view.getFloat64(offset + 8, true),
      allowedLatenessMs: view.getFloat64(offset + 16, true),
    });
  }

  /** Restores the state `writeState` wrote; throws an Error naming the inconsistent field. */
  readState(view: DataView, offset: number): number {
    const latest = view.getFloat64(offset + 24, true);
    const newest = view.getFloat64(offset + 32, true);
    if (latest === -Infinity) {
      if (!Number.isNaN(newest)) throw new Error('clock has a newest sub-window but no newest time');
    } else if (!Number.isFinite(latest) || newest !== Math.floor(latest / this.bucketMs)) {
      throw new Error(`clock newest sub-window ${newest} does not hold the newest time ${latest}`);
    }
    const buckets = new Float64Array(this.slots);
    for (let s = 0; s < this.slots; s++) {
      const b = view.getFloat64(offset + (5 + s) * 8, true);
      if (Number.isNaN(b)) {
        buckets[s] = NaN;
        continue;
      }
      if (!Number.isInteger(b) || b > newest || b < newest - this.slots + 1 || this.slotOf(b) !== s) {
        throw new Error(`clock slot ${s} holds sub-window ${b}, outside the ring`);
      }
      buckets[s] = b;
    }
    this.latest = latest;
    this.newest = newest;
    this.slotBucket.set(buckets);
    return offset + WindowClock.stateBytes(this.slots);
  }
}
