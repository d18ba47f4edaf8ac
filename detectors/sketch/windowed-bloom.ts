import { bloomDimensionsFor, BloomTable, expectedFill } from './bloom-table.js';
import { asCorrupt, checkCounter, closeFrame, corruptError, openFrame, readFrame, readWordsInto, writeFloats } from './codec.js';
import { MAX_BLOOM_BITS } from './bloom-filter.js';
import { fractionOption, intOption, SketchError, seedOption } from './errors.js';
import { deriveSeed, KeyHasher } from './key-hasher.js';
import type { WindowedBloomOptions, WindowMode, WindowOptions, WindowSeenStatus } from './types.js';
import { WindowClock } from './window-clock.js';
import { headerWithSlotTotals, WindowedSketch } from './windowed-sketch.js';

const MAGIC = 'SWWB';
const KIND = 'windowed Bloom filter';
/** Fixed header fields before the clock block: bits, hashes, seed, reserved (u32); capacity, rate, late, invalid, saturated (f64). */
const FIXED_HEADER = 56;

/**
 * Per-sub-filter false-positive rate such that a query reading `filtersRead` sub-filters, each at
 * capacity, has false-positive rate `windowRate`: 1 - (1 - windowRate)^(1 / filtersRead).
 * A key absent from all of them passes if any one of them says "present", so the rates compound.
 */
export function subFilterRate(windowRate: number, filtersRead: number): number {
  return -Math.expm1(Math.log1p(-windowRate) / filtersRead);
}

/** Sizes the sub-filters of a windowed filter; shared with WindowedDistinctCounter. */
export function windowedBloomShape(
  window: WindowOptions,
  expectedItems: number,
  falsePositiveRate: number,
  itemsOption: string,
): { bits: number; hashes: number; capacity: number; perFilterRate: number } {
  const capacity = intOption(itemsOption, expectedItems, 1, 0xffffffff);
  fractionOption('falsePositiveRate', falsePositiveRate);
  const perFilterRate = subFilterRate(falsePositiveRate, window.subWindows + 1);
  const dims = bloomDimensionsFor(capacity, perFilterRate);
  if (dims.bits > MAX_BLOOM_BITS) {
    throw new SketchError('SKETCH_INVALID_OPTION', `options '${itemsOption}' and 'falsePositiveRate' need ${dims.bits} bits per sub-window > 2^31`);
  }
  return { ...dims, capacity, perFilterRate };
}

/**
 * Bloom filter over a sliding window of event time: one sub-filter per sub-window in a fixed ring
 * (see WindowClock), e.g. a 30-day "seen before" history in daily sub-filters.
 *
 * A query reads every sub-filter of the window (S + 1 of them in `covering` mode), so each
 * sub-filter is sized for the share of the configured window false-positive rate (see
 * `subFilterRate`). Memory: slots x bits / 8, fixed.
 */
export class WindowedBloom extends WindowedSketch {
  readonly bits: number;
  readonly hashes: number;
  readonly seed: number;
  /** Distinct keys per sub-window the sub-filters are sized for. */
  readonly capacity: number;
  /** The configured false-positive rate of a window query. */
  readonly falsePositiveRate: number;
  private readonly table: BloomTable;
  private readonly hasher: KeyHasher;
  private readonly pairHasher: KeyHasher;
  private readonly designBitsSet: number;
  private readonly designRate: number;
  private readonly overCapacity: Uint8Array;
  private saturatedCount = 0;

  constructor(options: WindowedBloomOptions) {
    super(options);
    const shape = windowedBloomShape(
      options,
      options.expectedItemsPerSubWindow,
      options.falsePositiveRate ?? 0.001,
      'expectedItemsPerSubWindow',
    );
    this.bits = shape.bits;
    this.hashes = shape.hashes;
    this.capacity = shape.capacity;
    this.falsePositiveRate = options.falsePositiveRate ?? 0.001;
    this.seed = seedOption('seed', options.seed);
    const fill = expectedFill(this.bits, this.hashes, this.capacity);
    this.designBitsSet = fill * this.bits;
    this.designRate = -Math.expm1((this.clock.subWindows + 1) * Math.log1p(-(fill ** this.hashes)));
    this.table = new BloomTable(this.bits, this.hashes, this.clock.slots);
    this.overCapacity = new Uint8Array(this.clock.slots);
    this.hasher = new KeyHasher(this.seed);
    this.pairHasher = new KeyHasher(deriveSeed(this.seed, 13));
    this.clock.onRecycle(
      (slot) => {
        this.table.clear(slot);
        this.overCapacity[slot] = 0;
      },
      () => {
        this.table.clearAll();
        this.overCapacity.fill(0);
      },
    );
  }

  /**
   * Adds `key` at event time `timeMs`. Returns `seen` when the key was (possibly) present in any
   * retained sub-window from the start of the window ending at `timeMs` up to the newest one:
   * later sub-windows count too, so a late event of a key already seen after it is not "new" again.
   */
  add(key: string, timeMs: number): WindowSeenStatus {
    const slot = this.clock.admit(timeMs);
    if (slot < 0) return this.reject(slot);
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    return this.addLocated(slot, timeMs);
  }

  /**
   * `add` of the pair (group, item) without building a joined string: the item is hashed under
   * seeds taken from the group's hashes (as WindowedDistinctCounter does), so several items of one
   * group (a source IP in each cloud) share the group's hashing.
   */
  addPair(group: string, item: string, timeMs: number): WindowSeenStatus {
    const slot = this.clock.admit(timeMs);
    if (slot < 0) return this.reject(slot);
    this.locatePair(group, item);
    return this.addLocated(slot, timeMs);
  }

  private addLocated(slot: number, timeMs: number): WindowSeenStatus {
    const seen = this.presentIn(this.clock.firstBucket(timeMs, 'covering'), this.clock.newestBucket);
    this.table.set(slot);
    if (this.overCapacity[slot] === 0 && this.table.bitsSet[slot]! > this.designBitsSet) {
      this.overCapacity[slot] = 1;
      this.saturatedCount++;
    }
    return seen ? 'seen' : 'new';
  }

  /** True when `key` was possibly added in the window (nowMs - W, nowMs] read as `mode` says. */
  has(key: string, nowMs: number, mode: WindowMode = 'covering'): boolean {
    const first = this.clock.firstBucket(nowMs, mode);
    const last = this.clock.lastBucket(nowMs, mode);
    if (!(first <= last)) return false;
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    return this.presentIn(first, last);
  }

  /** `has` of the pair (group, item) added by `addPair`. */
  hasPair(group: string, item: string, nowMs: number, mode: WindowMode = 'covering'): boolean {
    const first = this.clock.firstBucket(nowMs, mode);
    const last = this.clock.lastBucket(nowMs, mode);
    if (!(first <= last)) return false;
    this.locatePair(group, item);
    return this.presentIn(first, last);
  }

  private locatePair(group: string, item: string): void {
    this.hasher.hash(group);
    this.pairHasher.hashSeeded(item, this.hasher.h1, this.hasher.h2);
    this.table.locate(this.pairHasher.h1, this.pairHasher.h2);
  }

  /** Whether the located key is in a sub-filter of buckets first..last. */
  private presentIn(first: number, last: number): boolean {
    if (this.table.slots <= 32) {
      // One read per probe gives the slots holding the key; then only the ring is consulted.
      const present = this.table.presentSlots();
      if (present === 0) return false;
      for (let b = last; b >= first; b--) {
        const slot = this.clock.slotHolding(b);
        if (slot >= 0 && ((present >>> slot) & 1) === 1) return true;
      }
      return false;
    }
    // Newest first: a key seen recently stops the scan at once.
    for (let b = last; b >= first; b--) {
      const slot = this.clock.slotHolding(b);
      if (slot >= 0 && this.table.test(slot)) return true;
    }
    return false;
  }

  /** Probability that an absent key passes a query at nowMs, from the fill of the sub-filters it reads. */
  estimatedFalsePositiveRate(nowMs: number, mode: WindowMode = 'covering'): number {
    let pass = 1;
    for (let b = this.clock.firstBucket(nowMs, mode); b <= this.clock.lastBucket(nowMs, mode); b++) {
      const slot = this.clock.slotHolding(b);
      if (slot >= 0) pass *= 1 - this.table.falsePositiveRate(slot);
    }
    return 1 - pass;
  }

  /** The false-positive rate of a `covering` query when all S + 1 sub-filters hold their capacity. */
  designFalsePositiveRate(): number {
    return this.designRate;
  }

  /** True while any retained sub-filter is filled beyond its design capacity. */
  get saturated(): boolean {
    for (let s = 0; s < this.overCapacity.length; s++) if (this.overCapacity[s] === 1) return true;
    return false;
  }

  /** Sub-windows that went over capacity since start (a counter: it does not drop on recycling). */
  get saturatedSubWindows(): number {
    return this.saturatedCount;
  }



  get byteLength(): number {
    return this.table.byteLength;
  }

  /**
   * Self-describing bytes (see codec.ts). Header from offset 8: bits, hashes, seed, 0 (u32);
   * capacity, false-positive rate, late, invalid, saturated sub-windows (f64); the clock (options,
   * newest time, sub-window of each slot); then the bit words, the slots of each position side by
   * side (see BloomTable).
   */
  serialize(): Uint8Array {
    const frame = openFrame(MAGIC, 0, {
      headerBytes: FIXED_HEADER + WindowClock.stateBytes(this.clock.slots),
      bodyBytes: this.table.words.byteLength,
    });
    const { view } = frame;
    view.setUint32(8, this.bits, true);
    view.setUint32(12, this.hashes, true);
    view.setUint32(16, this.seed, true);
    const at = writeFloats(view, 24, [this.capacity, this.falsePositiveRate, this.late, this.invalid, this.saturatedCount]);
    this.clock.writeState(view, at);
    return closeFrame(frame, this.table.words);
  }

  /** Rebuilds a filter from `serialize` output; SKETCH_CORRUPT / SKETCH_UNSUPPORTED_VERSION otherwise. */
  static deserialize(bytes: Uint8Array): WindowedBloom {
    let clock: WindowClock | undefined;
    let shape = { bits: 0, hashes: 0, capacity: 0, perFilterRate: 0 };
    // Sizes come from the header alone: nothing is allocated before the length is known to match.
    const { view, bodyOffset } = readFrame(bytes, MAGIC, KIND, 0, (v) => {
      if (v.getUint32(20, true) !== 0) throw new Error('reserved field is not 0');
      clock = WindowClock.readClock(v, 8 + FIXED_HEADER);
      shape = windowedBloomShape(clock, v.getFloat64(24, true), v.getFloat64(32, true), 'expectedItemsPerSubWindow');
      if (shape.bits !== v.getUint32(8, true) || shape.hashes !== v.getUint32(12, true)) {
        throw new Error('bits and hashes do not match the capacity and false-positive rate');
      }
      return {
        headerBytes: FIXED_HEADER + WindowClock.stateBytes(clock.slots),
        bodyBytes: Math.ceil((shape.bits * clock.slots) / 32) * 4,
      };
    });
    const f = new WindowedBloom({
      windowMs: clock!.windowMs,
      subWindows: clock!.subWindows,
      allowedLatenessMs: clock!.allowedLatenessMs,
      expectedItemsPerSubWindow: shape.capacity,
      falsePositiveRate: view.getFloat64(32, true),
      seed: view.getUint32(16, true),
    });
    asCorrupt(KIND, () => {
      f.late = checkCounter('late count', view.getFloat64(40, true));
      f.invalid = checkCounter('invalid count', view.getFloat64(48, true));
      f.saturatedCount = checkCounter('saturated count', view.getFloat64(56, true));
      f.clock.readState(view, 8 + FIXED_HEADER);
    });
    readWordsInto(bytes, bodyOffset, f.table.words);
    f.table.wordsReplaced();
    if (!f.table.paddingIsClear()) throw corruptError(KIND, 'bits set beyond the filter size');
    f.table.recount();
    for (let s = 0; s < f.overCapacity.length; s++) f.overCapacity[s] = f.table.bitsSet[s]! > f.designBitsSet ? 1 : 0;
    return f;
  }
}
