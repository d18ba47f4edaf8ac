import { BloomTable, expectedFill } from './bloom-table.js';
import { asCorrupt, checkCounter, closeFrame, corruptError, counterBitsField, openFrame, readFloats, readFrame, readWordsInto, writeFloats } from './codec.js';
import { checkCountMinShape } from './count-min.js';
import { CountMinTable, counterBitsOption, type CounterBits } from './count-min-table.js';
import { seedOption } from './errors.js';
import { deriveSeed, KeyHasher } from './key-hasher.js';
import type { DistinctErrorEstimate, WindowedDistinctOptions, WindowMode, WindowSeenStatus } from './types.js';
import { WindowClock } from './window-clock.js';
import { headerWithSlotTotals, WindowedSketch } from './windowed-sketch.js';
import { windowedBloomShape } from './windowed-bloom.js';

const MAGIC = 'SWWD';
const KIND = 'windowed distinct counter';
/**
 * Fixed header fields before the clock block: group width, group depth, seed, group counter bits
 * (u32); capacity, rate, late, invalid, saturated sub-windows, group clamps (f64).
 */
const FIXED_HEADER = 64;

function headerBytes(slots: number): number {
  return headerWithSlotTotals(FIXED_HEADER, slots);
}

/**
 * Per group (an identity), the number of distinct items (secrets) in a sliding window of event
 * time: "how many different secrets did this role read in the last hour".
 *
 * Built from a windowed Bloom filter of (group, item) pairs and a windowed count-min sketch of
 * groups, sharing one WindowClock. Each pair is counted once, in the sub-window of its most
 * recent occurrence: when a pair seen in an older sub-window occurs again, its count moves to the
 * new sub-window (subtracted there, added here). Counting it only at its first occurrence would
 * lose it when that sub-window expires although it was read again inside the window. The moves
 * need subtraction, so the group sketch uses plain update.
 *
 * Error, for a query at the newest event time (`latestTimeMs`), in `covering` mode:
 * - Under-count: only Bloom false positives. A pair new to the window that the sub-filters
 *   (falsely) report present is not counted, and each such false positive hides at most one
 *   item of its group. The probability per new pair is `estimatedError().falsePositiveRate`, at
 *   most the configured `falsePositiveRate` while each sub-window holds no more than
 *   `expectedPairsPerSubWindow` pairs (check `saturated`). So a group with D distinct items is
 *   under-counted by D x rate on average.
 * - Over-count: count-min collisions between groups, at most epsilon x (pairs counted in the
 *   window) with probability 1 - delta, epsilon = e / groupWidth, delta = e^-groupDepth.
 * Queries for earlier times (nowMs < latestTimeMs) can miss pairs whose latest occurrence is
 * after nowMs: detectors should query at `latestTimeMs`.
 *
 * The group counts may use 8- or 16-bit counters (`counterBits`): each sub-window's count then
 * saturates at 255 or 65,535 and stays there (a move out of a saturated counter does not lower
 * it), so a count is never below min(true, maximum) per sub-window, plus the Bloom under-count.
 */
export class WindowedDistinctCounter extends WindowedSketch {
  readonly seed: number;
  /** Distinct pairs per sub-window the sub-filters are sized for. */
  readonly capacity: number;
  /** The configured probability that a pair new to the window is missed. */
  readonly falsePositiveRate: number;
  /** Bits per counter of the per-group counts (8, 16 or 32). */
  readonly counterBits: CounterBits;
  private readonly pairs: BloomTable;
  private readonly groups: CountMinTable;
  private readonly groupHasher: KeyHasher;
  private readonly pairHasher: KeyHasher;
  private readonly designBitsSet: number;
  private readonly designRate: number;
  private readonly overCapacity: Uint8Array;
  private saturatedCount = 0;

  constructor(options: WindowedDistinctOptions) {
    super(options);
    const shape = windowedBloomShape(
      options,
      options.expectedPairsPerSubWindow,
      options.falsePositiveRate ?? 0.001,
      'expectedPairsPerSubWindow',
    );
    let groupShape: { width: number; depth: number };
    try {
      groupShape = checkCountMinShape(options.groupWidth ?? 2 ** 14, options.groupDepth ?? 4);
    } catch (err) {
      // Name the options as the caller spelled them.
      (err as Error).message = (err as Error).message.replace(/'width'/, "'groupWidth'").replace(/'depth'/, "'groupDepth'");
      throw err;
    }
    this.seed = seedOption('seed', options.seed);
    this.counterBits = counterBitsOption('counterBits', options.counterBits);
    this.capacity = shape.capacity;
    this.falsePositiveRate = options.falsePositiveRate ?? 0.001;
    this.pairs = new BloomTable(shape.bits, shape.hashes, this.clock.slots);
    this.groups = new CountMinTable(groupShape.width, groupShape.depth, this.clock.slots, this.counterBits);
    const fill = expectedFill(shape.bits, shape.hashes, shape.capacity);
    this.designBitsSet = fill * shape.bits;
    this.designRate = -Math.expm1((this.clock.subWindows + 1) * Math.log1p(-(fill ** shape.hashes)));
    this.overCapacity = new Uint8Array(this.clock.slots);
    this.groupHasher = new KeyHasher(deriveSeed(this.seed, 11));
    this.pairHasher = new KeyHasher(deriveSeed(this.seed, 12));
    this.clock.onRecycle(
      (slot) => {
        this.pairs.clear(slot);
        this.groups.clear(slot);
        this.overCapacity[slot] = 0;
      },
      () => {
        this.pairs.clearAll();
        this.groups.clearAll();
        this.overCapacity.fill(0);
      },
    );
  }

  /**
   * Records that `group` touched `item` at event time `timeMs`. Returns `new` when the pair was
   * not seen in the current window (from the start of the window ending at the newest event time,
   * or at `timeMs` if earlier), so the group's distinct count went up; `seen` otherwise.
   */
  add(group: string, item: string, timeMs: number): WindowSeenStatus {
    const slot = this.clock.admit(timeMs);
    if (slot < 0) return this.reject(slot);
    const clock = this.clock;
    const bucket = clock.bucketOf(timeMs);
    this.groupHasher.hash(group);
    this.pairHasher.hashSeeded(item, this.groupHasher.h1, this.groupHasher.h2);
    this.pairs.locate(this.pairHasher.h1, this.pairHasher.h2);

    // The newest sub-window that holds the pair: where it is counted now.
    const from = Math.min(bucket, clock.firstBucket(clock.latestTimeMs, 'covering'));
    let holder = NaN;
    // One read per probe gives every slot holding the pair (tables of up to 32 slots).
    const byMask = this.pairs.slots <= 32;
    const present = byMask ? this.pairs.presentSlots() : 0;
    if (!byMask || present !== 0) {
      for (let b = clock.newestBucket; b >= from; b--) {
        const s = clock.slotHolding(b);
        if (s >= 0 && (byMask ? ((present >>> s) & 1) === 1 : this.pairs.test(s))) {
          holder = b;
          break;
        }
      }
    }
    this.pairs.set(slot);
    if (this.overCapacity[slot] === 0 && this.pairs.bitsSet[slot]! > this.designBitsSet) {
      this.overCapacity[slot] = 1;
      this.saturatedCount++;
    }

    if (Number.isNaN(holder)) {
      this.groups.locate(this.groupHasher.h1, this.groupHasher.h2);
      this.groups.add(slot, 1, false);
      return 'new';
    }
    if (holder < bucket) {
      this.groups.locate(this.groupHasher.h1, this.groupHasher.h2);
      this.groups.subtract(clock.slotHolding(holder), 1);
      this.groups.add(slot, 1, false);
    }
    return 'seen';
  }

  /** Estimated number of distinct items of `group` in the window (nowMs - W, nowMs]. */
  count(group: string, nowMs: number, mode: WindowMode = 'covering'): number {
    const first = this.clock.firstBucket(nowMs, mode);
    const last = this.clock.lastBucket(nowMs, mode);
    if (!(first <= last)) return 0;
    this.groupHasher.hash(group);
    this.groups.locate(this.groupHasher.h1, this.groupHasher.h2);
    let sum = 0;
    for (let b = first; b <= last; b++) {
      const slot = this.clock.slotHolding(b);
      if (slot >= 0) sum += this.groups.min(slot);
    }
    return sum;
  }

  /** Error of a query at `nowMs` (default: the newest event time); see the class comment. */
  estimatedError(nowMs = this.clock.latestTimeMs): DistinctErrorEstimate {
    let pass = 1;
    let pairsInWindow = 0;
    const last = this.clock.newestBucket;
    for (let b = this.clock.firstBucket(nowMs, 'covering'); b <= last; b++) {
      const slot = this.clock.slotHolding(b);
      if (slot < 0) continue;
      pass *= 1 - this.pairs.falsePositiveRate(slot);
      if (b <= this.clock.lastBucket(nowMs, 'covering')) pairsInWindow += this.groups.totals[slot]!;
    }
    const epsilon = Math.E / this.groups.width;
    return {
      falsePositiveRate: 1 - pass,
      designFalsePositiveRate: this.designRate,
      epsilon,
      delta: Math.exp(-this.groups.depth),
      maxOvercount: epsilon * pairsInWindow,
    };
  }

  /** True while any retained sub-window holds more pairs than its capacity (fill above design). */
  get saturated(): boolean {
    for (let s = 0; s < this.overCapacity.length; s++) if (this.overCapacity[s] === 1) return true;
    return false;
  }

  /** Sub-windows that went over capacity since start. */
  get saturatedSubWindows(): number {
    return this.saturatedCount;
  }

  /** Group counter clamps at `maxCount` (practically never with 32-bit counters). */
  get saturationEvents(): number {
    return this.groups.saturationEvents;
  }

  /** The value each sub-window's group counters saturate at: 255, 65,535 or 2^32 - 1. */
  get maxCount(): number {
    return this.groups.max;
  }



  /** Bytes of the pair filters and group counters, fixed at construction. */
  get byteLength(): number {
    return this.pairs.byteLength + this.groups.byteLength;
  }

  /** Counters per row of the per-group counts. */
  get groupWidth(): number {
    return this.groups.width;
  }

  get groupDepth(): number {
    return this.groups.depth;
  }

  /**
   * Self-describing bytes (see codec.ts), format version 3. Header from offset 8: group width,
   * group depth, seed, group counter bits (u32); capacity, false-positive rate, late, invalid,
   * saturated sub-windows, group clamps (f64); the clock (options, newest time, sub-window of each
   * slot); the pair total of each slot (f64); then the pair filters' bit words (32-bit) and the
   * group counters (`counterBits / 8` bytes each), the slots of each position side by side (see
   * BloomTable and CountMinTable).
   */
  serialize(): Uint8Array {
    const slots = this.clock.slots;
    const frame = openFrame(MAGIC, 0, {
      headerBytes: headerBytes(slots),
      bodyBytes: this.pairs.words.byteLength + this.groups.byteLength,
    });
    const { view } = frame;
    view.setUint32(8, this.groups.width, true);
    view.setUint32(12, this.groups.depth, true);
    view.setUint32(16, this.seed, true);
    view.setUint32(20, this.counterBits, true);
    let at = writeFloats(view, 24, [
      this.capacity,
      this.falsePositiveRate,
      this.late,
      this.invalid,
      this.saturatedCount,
      this.groups.saturationEvents,
    ]);
    at = this.clock.writeState(view, at);
    writeFloats(view, at, this.groups.totals);
    return closeFrame(frame, this.pairs.words, this.groups.counters);
  }

  /** Rebuilds a counter from `serialize` output; SKETCH_CORRUPT / SKETCH_UNSUPPORTED_VERSION otherwise. */
  static deserialize(bytes: Uint8Array): WindowedDistinctCounter {
    let clock: WindowClock | undefined;
    let group = { width: 0, depth: 0 };
    let capacity = 0;
    let counterBits: CounterBits = 32;
    // Sizes come from the header alone: nothing is allocated before the length is known to match.
    const { view, bodyOffset } = readFrame(bytes, MAGIC, KIND, 0, (v) => {
      counterBits = counterBitsField(v.getUint32(20, true));
      group = checkCountMinShape(v.getUint32(8, true), v.getUint32(12, true));
      clock = WindowClock.readClock(v, 8 + FIXED_HEADER);
      const shape = windowedBloomShape(clock, v.getFloat64(24, true), v.getFloat64(32, true), 'expectedPairsPerSubWindow');
      capacity = shape.capacity;
      return {
        headerBytes: headerBytes(clock.slots),
        bodyBytes: Math.ceil((shape.bits * clock.slots) / 32) * 4 + (group.width * group.depth * counterBits * clock.slots) / 8,
      };
    });
    const c = new WindowedDistinctCounter({
      windowMs: clock!.windowMs,
      subWindows: clock!.subWindows,
      allowedLatenessMs: clock!.allowedLatenessMs,
      expectedPairsPerSubWindow: capacity,
      falsePositiveRate: view.getFloat64(32, true),
      groupWidth: group.width,
      groupDepth: group.depth,
      counterBits,
      seed: view.getUint32(16, true),
    });
    asCorrupt(KIND, () => {
      c.late = checkCounter('late count', view.getFloat64(40, true));
      c.invalid = checkCounter('invalid count', view.getFloat64(48, true));
      c.saturatedCount = checkCounter('saturated count', view.getFloat64(56, true));
      c.groups.saturationEvents = checkCounter('clamp count', view.getFloat64(64, true));
      const at = c.clock.readState(view, 8 + FIXED_HEADER);
      readFloats(view, at, c.groups.totals);
      c.groups.totals.forEach((t, i) => checkCounter(`slot ${i} total`, t));
    });
    const next = readWordsInto(bytes, bodyOffset, c.pairs.words);
    readWordsInto(bytes, next, c.groups.counters);
    c.pairs.wordsReplaced();
    c.groups.countersReplaced();
    if (!c.pairs.paddingIsClear()) throw corruptError(KIND, 'bits set beyond the filter size');
    c.pairs.recount();
    for (let s = 0; s < c.overCapacity.length; s++) c.overCapacity[s] = c.pairs.bitsSet[s]! > c.designBitsSet ? 1 : 0;
    return c;
  }
}
