import { asCorrupt, checkCounter, closeFrame, counterBitsField, openFrame, readFloats, readFrame, readWordsInto, writeFloats } from './codec.js';
import { checkCount, checkCountMinShape } from './count-min.js';
import { CountMinTable, counterBitsOption, type CounterBits } from './count-min-table.js';
import { seedOption } from './errors.js';
import { KeyHasher } from './key-hasher.js';
import type { CountMinErrorBound, WindowAddStatus, WindowedCountMinOptions, WindowMode } from './types.js';
import { WindowClock } from './window-clock.js';
import { headerWithSlotTotals, WindowedSketch } from './windowed-sketch.js';

const MAGIC = 'SWWC';
const KIND = 'windowed count-min sketch';
const FLAG_CONSERVATIVE = 1;
/**
 * Fixed header fields before the clock block: width, depth, seed, counter bits (u32); late,
 * invalid, clamps (f64).
 */
const FIXED_HEADER = 40;

function headerBytes(slots: number): number {
  return headerWithSlotTotals(FIXED_HEADER, slots);
}

/**
 * Count-min sketch over a sliding window of event time: one sketch per sub-window in a fixed
 * ring (see WindowClock), e.g. 1 h in 12 sub-windows of 5 min with 15 min allowed lateness.
 *
 * A detector for "more than 50 reads in a sliding hour, firing at the event that crosses the
 * line" does, per event: `add(key, t)`, then `estimate(key, sketch.latestTimeMs)` (the default
 * `covering` mode never misses an event of the window because of bucketing; see WindowMode), and
 * fires when the estimate first exceeds 50. The second call reuses the key's hash.
 *
 * Error: the estimate is the sum of each sub-window's count-min estimate, which is never below
 * the true count in those sub-windows and at most the one sketch of their union would give, so
 * it exceeds the truth by more than epsilon * N (N = events in the sub-windows read) with
 * probability at most delta, as for CountMinSketch.
 *
 * Counters of `counterBits` (8, 16, 32) saturate at their maximum M per sub-window: each
 * sub-window's estimate is never below min(true, M), so the window's estimate is at least the true
 * count or at least M. With 8-bit counters and a threshold well below 255 the answer to "more
 * than N?" is the same as with 32-bit ones, at a quarter of the memory per counter.
 */
export class WindowedCountMin extends WindowedSketch {
  readonly width: number;
  readonly depth: number;
  readonly seed: number;
  readonly conservative: boolean;
  readonly counterBits: CounterBits;
  private readonly table: CountMinTable;
  private readonly hasher: KeyHasher;

  constructor(options: WindowedCountMinOptions) {
    const { width, depth } = checkCountMinShape(options.width, options.depth);
    super(options);
    this.width = width;
    this.depth = depth;
    this.seed = seedOption('seed', options.seed);
    this.conservative = options.conservative ?? true;
    this.counterBits = counterBitsOption('counterBits', options.counterBits);
    this.table = new CountMinTable(width, depth, this.clock.slots, this.counterBits);
    this.hasher = new KeyHasher(this.seed);
    this.clock.onRecycle(
      (slot) => this.table.clear(slot),
      () => this.table.clearAll(),
    );
  }

  /** Counts `n` occurrences of `key` at event time `timeMs` (integer epoch ms). */
  add(key: string, timeMs: number, n = 1): WindowAddStatus {
    checkCount(n);
    const slot = this.clock.admit(timeMs);
    if (slot < 0) return this.reject(slot);
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    this.table.add(slot, n, this.conservative);
    return 'counted';
  }

  /** Estimated count of `key` in the window (nowMs - W, nowMs], read as `mode` says. */
  estimate(key: string, nowMs: number, mode: WindowMode = 'covering'): number {
    const first = this.clock.firstBucket(nowMs, mode);
    const last = this.clock.lastBucket(nowMs, mode);
    if (!(first <= last)) return 0;
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    let sum = 0;
    for (let b = first; b <= last; b++) {
      const slot = this.clock.slotHolding(b);
      if (slot >= 0) sum += this.table.min(slot);
    }
    return sum;
  }

  /**
   * Estimated count of `key` in each retained sub-window, oldest first, as (bucket, estimate)
   * pairs for the sub-windows with a non-zero estimate: what the sketch knows of a key's history.
   */
  bucketEstimates(key: string): [number, number][] {
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    const out: [number, number][] = [];
    const newest = this.clock.newestBucket;
    for (let b = this.clock.oldestBucket; b <= newest; b++) {
      const slot = this.clock.slotHolding(b);
      const n = slot >= 0 ? this.table.min(slot) : 0;
      if (n > 0) out.push([b, n]);
    }
    return out;
  }

  /** Events in the sub-windows a query at nowMs reads (all keys). */
  windowTotal(nowMs: number, mode: WindowMode = 'covering'): number {
    let sum = 0;
    const last = this.clock.lastBucket(nowMs, mode);
    for (let b = this.clock.firstBucket(nowMs, mode); b <= last; b++) {
      const slot = this.clock.slotHolding(b);
      if (slot >= 0) sum += this.table.totals[slot]!;
    }
    return sum;
  }

  errorBound(nowMs: number, mode: WindowMode = 'covering'): CountMinErrorBound {
    const epsilon = Math.E / this.width;
    return { epsilon, delta: Math.exp(-this.depth), maxOvercount: epsilon * this.windowTotal(nowMs, mode) };
  }



  /** The value each sub-window's counters saturate at: 255, 65,535 or 2^32 - 1. */
  get maxCount(): number {
    return this.table.max;
  }

  /** Counter clamps at `maxCount` (see CountMinTable.saturationEvents). */
  get saturationEvents(): number {
    return this.table.saturationEvents;
  }

  get saturated(): boolean {
    return this.table.saturationEvents > 0;
  }

  /** Bytes of counter memory: slots x depth x width x counterBits / 8, fixed at construction. */
  get byteLength(): number {
    return this.table.byteLength;
  }

  /**
   * Self-describing bytes (see codec.ts), format version 3. Header from offset 8: width, depth,
   * seed, counter bits (u32); late, invalid, clamps (f64); the clock (options, newest time,
   * sub-window of each slot); the count total of each slot (f64); then the counters, the slots of
   * each cell side by side (see CountMinTable), `counterBits / 8` bytes each. Flag bit 0 =
   * conservative.
   */
  serialize(): Uint8Array {
    const slots = this.clock.slots;
    const frame = openFrame(MAGIC, this.conservative ? FLAG_CONSERVATIVE : 0, {
      headerBytes: headerBytes(slots),
      bodyBytes: this.table.byteLength,
    });
    const { view } = frame;
    view.setUint32(8, this.width, true);
    view.setUint32(12, this.depth, true);
    view.setUint32(16, this.seed, true);
    view.setUint32(20, this.counterBits, true);
    let at = writeFloats(view, 24, [this.late, this.invalid, this.table.saturationEvents]);
    at = this.clock.writeState(view, at);
    writeFloats(view, at, this.table.totals);
    return closeFrame(frame, this.table.counters);
  }

  /** Rebuilds a sketch from `serialize` output; SKETCH_CORRUPT / SKETCH_UNSUPPORTED_VERSION otherwise. */
  static deserialize(bytes: Uint8Array): WindowedCountMin {
    let clock: WindowClock | undefined;
    let shape = { width: 0, depth: 0 };
    let counterBits: CounterBits = 32;
    // Sizes come from the header alone: nothing is allocated before the length is known to match.
    const { view, bodyOffset } = readFrame(bytes, MAGIC, KIND, FLAG_CONSERVATIVE, (v) => {
      counterBits = counterBitsField(v.getUint32(20, true));
      shape = checkCountMinShape(v.getUint32(8, true), v.getUint32(12, true));
      clock = WindowClock.readClock(v, 8 + FIXED_HEADER);
      return { headerBytes: headerBytes(clock.slots), bodyBytes: (shape.width * shape.depth * clock.slots * counterBits) / 8 };
    });
    const s = new WindowedCountMin({
      ...shape,
      seed: view.getUint32(16, true),
      conservative: (view.getUint8(5) & FLAG_CONSERVATIVE) !== 0,
      counterBits,
      windowMs: clock!.windowMs,
      subWindows: clock!.subWindows,
      allowedLatenessMs: clock!.allowedLatenessMs,
    });
    asCorrupt(KIND, () => {
      s.late = checkCounter('late count', view.getFloat64(24, true));
      s.invalid = checkCounter('invalid count', view.getFloat64(32, true));
      s.table.saturationEvents = checkCounter('clamp count', view.getFloat64(40, true));
      const at = s.clock.readState(view, 8 + FIXED_HEADER);
      readFloats(view, at, s.table.totals);
      s.table.totals.forEach((t, i) => checkCounter(`slot ${i} total`, t));
    });
    readWordsInto(bytes, bodyOffset, s.table.counters);
    s.table.countersReplaced();
    return s;
  }
}
