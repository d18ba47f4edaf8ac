import { fmix32 } from './hash.js';
import { DirtyBlocks } from './dirty-blocks.js';
import { invalidOption } from './errors.js';

/** Cells per block of the dirty map: a clear of a sparse slot visits 64 cells per cell written. */
const CELL_BLOCK_SHIFT = 6;
const CELLS_PER_BLOCK = 1 << CELL_BLOCK_SHIFT;

/** Width of one counter in bits. Narrower counters fit more of them (a wider sketch) in the same memory. */
export type CounterBits = 8 | 16 | 32;

/** The storage of one counter width. */
export type CounterArray = Uint8Array | Uint16Array | Uint32Array;

/** Largest value a 32-bit counter holds; counters saturate there instead of wrapping to 0. */
export const MAX_COUNT = 0xffffffff;

/** Largest value a counter of `bits` holds: 255, 65,535 or 2^32 - 1. */
export function maxCountFor(bits: CounterBits): number {
  return bits === 32 ? MAX_COUNT : 2 ** bits - 1;
}

/** Validates a `counterBits` option (default 32); the message names the option. */
export function counterBitsOption(name: string, value: unknown): CounterBits {
  const bits = value ?? 32;
  if (bits !== 8 && bits !== 16 && bits !== 32) throw invalidOption(name, '8, 16 or 32', value);
  return bits;
}

function allocate(bits: CounterBits, length: number): CounterArray {
  return bits === 8 ? new Uint8Array(length) : bits === 16 ? new Uint16Array(length) : new Uint32Array(length);
}

/**
 * The counters of one or more count-min sketches of the same shape, in one typed array of
 * `counterBits`-bit counters: `slots` sketches of `depth` rows of `width` counters. A plain sketch
 * has one slot; a windowed one has one slot per sub-window, so a key is hashed once and read at
 * the same offsets in each.
 *
 * Layout: the slots of one cell sit side by side (`(row * width + column) * slots + slot`). A
 * windowed estimate sums a key's minimum over every sub-window of the window; slot after slot that
 * was depth x slots cache misses per read, side by side it is `depth` (one line per row holds all
 * the sub-windows). Clearing a slot is then a strided pass over the table, once per sub-window of
 * event time.
 *
 * Row positions: `fmix32(h1 + i*h2) mod width` for row i. The finalizer matters: with a power-of-two
 * width, plain `h1 + i*h2` keeps only the low bits of h1 and h2, so two keys whose (h1, h2) agree on
 * those bits collide in every row at once (probability 1/width² per pair instead of 1/width^depth).
 * Mixing each row's 32-bit value makes the rows behave as independent hashes unless both full
 * 32-bit hashes agree.
 *
 * Saturation: a counter that would pass `max` (255, 65,535 or 2^32 - 1) stays at `max`, never
 * wraps, and then means "at least max". Every estimate is therefore never below
 * min(true count, max): conservative update raises counters to min + n clamped at max, which keeps
 * each counter of a key at least min(its count, max); plain update clamps each sum. A counter at
 * `max` is sticky under `subtract` (its true sum is unknown, so lowering it could under-count); it
 * is cleared with its slot. With 8-bit counters and a threshold below 255, a clamp can only say
 * "above the threshold", which is what the detector wanted to know anyway.
 */
export class CountMinTable {
  readonly width: number;
  readonly depth: number;
  readonly slots: number;
  readonly counterBits: CounterBits;
  /** The value counters saturate at. */
  readonly max: number;
  readonly counters: CounterArray;
  /** Offsets ((row * width + column) * slots) of the last located key's cells; reused, never reallocated. */
  readonly rows: Uint32Array;
  /** Sum of the counts added to each slot (the N of the error bound), exact up to 2^53. */
  readonly totals: Float64Array;
  /** Times a sum exceeded `max` and was clamped (`add`: once per call; `mergeFrom`: per counter). */
  saturationEvents = 0;
  private readonly mask: number;
  /** Cell index (row * width + column) of the last located key per row, for the dirty map. */
  private readonly cells: Uint32Array;
  /** Blocks of CELLS_PER_BLOCK cells each slot wrote (windowed tables only; see dirty-blocks.ts). */
  private readonly dirty: DirtyBlocks | undefined;

  constructor(width: number, depth: number, slots: number, counterBits: CounterBits = 32) {
    this.width = width;
    this.depth = depth;
    this.slots = slots;
    this.counterBits = counterBits;
    this.max = maxCountFor(counterBits);
    this.mask = width - 1;
    this.counters = allocate(counterBits, width * depth * slots);
    this.rows = new Uint32Array(depth);
    this.cells = new Uint32Array(depth);
    this.totals = new Float64Array(slots);
    this.dirty = slots > 1 ? new DirtyBlocks(Math.ceil((width * depth) / CELLS_PER_BLOCK), slots) : undefined;
  }

  get byteLength(): number {
    return this.counters.byteLength;
  }

  /** Computes the row offsets of a key from its two hashes (see `KeyHasher`). */
  locate(h1: number, h2: number): void {
    const { rows, cells, width, mask, depth, slots } = this;
    for (let i = 0; i < depth; i++) {
      const cell = i * width + (fmix32((h1 + Math.imul(i, h2)) | 0) & mask);
      cells[i] = cell;
      rows[i] = cell * slots;
    }
  }

  /** Estimate of the located key in one slot: the minimum of its counters. */
  min(slot: number): number {
    const { rows, counters, depth } = this;
    let min = this.max;
    for (let i = 0; i < depth; i++) {
      const c = counters[rows[i]! + slot]!;
      if (c < min) min = c;
    }
    return min;
  }

  /**
   * Adds `n` to the located key in one slot and returns its new estimate.
   * Conservative update raises only the counters below the new estimate (min + n): it never
   * under-estimates and over-estimates far less than incrementing every row, but the counters are
   * no longer sums of the counts, so `subtract` and exact merging are only sound in plain mode.
   */
  add(slot: number, n: number, conservative: boolean): number {
    const { rows, counters, depth, max } = this;
    this.totals[slot] = this.totals[slot]! + n;
    const dirty = this.dirty;
    if (dirty !== undefined) for (let i = 0; i < depth; i++) dirty.mark(slot, this.cells[i]! >>> CELL_BLOCK_SHIFT);
    let estimate: number;
    if (conservative) {
      let min = max;
      for (let i = 0; i < depth; i++) {
        const c = counters[rows[i]! + slot]!;
        if (c < min) min = c;
      }
      estimate = min + n;
      if (estimate > max) {
        estimate = max;
        this.saturationEvents++;
      }
      for (let i = 0; i < depth; i++) {
        const j = rows[i]! + slot;
        if (counters[j]! < estimate) counters[j] = estimate;
      }
    } else {
      estimate = max;
      let saturated = false;
      for (let i = 0; i < depth; i++) {
        const j = rows[i]! + slot;
        let c = counters[j]! + n;
        if (c > max) {
          c = max;
          saturated = true;
        }
        counters[j] = c;
        if (c < estimate) estimate = c;
      }
      if (saturated) this.saturationEvents++;
    }
    return estimate;
  }

  /**
   * Removes `n` previously added (plain mode only) from the located key in one slot. Counters stop
   * at 0: removing what was never added must not wrap around. A saturated counter stays at `max`:
   * it stands for an unknown sum of at least `max`, and lowering it could under-count.
   */
  subtract(slot: number, n: number): void {
    const { rows, counters, depth, max } = this;
    this.totals[slot] = Math.max(0, this.totals[slot]! - n);
    for (let i = 0; i < depth; i++) {
      const j = rows[i]! + slot;
      const c = counters[j]!;
      if (c !== max) counters[j] = c > n ? c - n : 0;
    }
  }

  /**
   * Empties one slot. Slots sit side by side, so this is strided: over the blocks the slot wrote
   * since its last clear (see dirty-blocks.ts), or over the whole table when that is unknown.
   */
  clear(slot: number): void {
    const { counters, slots } = this;
    this.totals[slot] = 0;
    if (this.dirty === undefined) {
      counters.fill(0);
      return;
    }
    const cellCount = this.width * this.depth;
    const known = this.dirty.drain(slot, (block) => {
      const end = Math.min(cellCount, (block + 1) * CELLS_PER_BLOCK) * slots;
      for (let j = block * CELLS_PER_BLOCK * slots + slot; j < end; j += slots) counters[j] = 0;
    });
    if (!known) for (let j = slot; j < counters.length; j += slots) counters[j] = 0;
  }

  /** Empties every slot (a jump in event time past the whole ring). */
  clearAll(): void {
    this.counters.fill(0);
    this.totals.fill(0);
    this.dirty?.reset();
  }

  /** The counters were written from outside (a load): the next clear of each slot sweeps the whole table. */
  countersReplaced(): void {
    this.dirty?.markAllUnknown();
  }

  /** Adds another table of the same shape and counter width counter by counter, saturating. */
  mergeFrom(other: CountMinTable): void {
    const a = this.counters;
    const b = other.counters;
    const max = this.max;
    for (let j = 0; j < a.length; j++) {
      const s = a[j]! + b[j]!;
      if (s > max) {
        a[j] = max;
        this.saturationEvents++;
      } else {
        a[j] = s;
      }
    }
    for (let s = 0; s < this.slots; s++) this.totals[s] = this.totals[s]! + other.totals[s]!;
    this.saturationEvents += other.saturationEvents;
    this.countersReplaced();
  }
}
