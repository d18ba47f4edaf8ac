import { DirtyBlocks } from './dirty-blocks.js';
import { SketchError } from './errors.js';

/**
 * The bits of one or more Bloom filters of the same shape, in one `Uint32Array`: `slots` filters of
 * `bits` bits. A plain filter has one slot; a windowed one has one slot per sub-window, so a key is
 * hashed once and probed at the same positions in each.
 *
 * Layout: the slots of one position sit side by side (bit `position * slots + slot`), not slot
 * after slot. A windowed query asks "is the key in any sub-filter of the window?", which used to
 * read every probe in every slot: up to k x slots cache misses per event, most of the detector's
 * time on a high-cardinality stream. Side by side, a probe's bits for all slots share one or two
 * words, so the query costs k misses whatever the number of slots (`presentSlots`). Clearing one
 * slot becomes a strided pass over the table (once per sub-window of event time; see `clear`).
 *
 * Probe positions: g_i = h1 + i*h2 (Kirsch & Mitzenmacher 2006: two independent hashes give the
 * false-positive rate of k independent ones), mapped onto [0, bits) by multiply-shift
 * (floor(g_i * bits / 2^32), Lemire's "fastrange"), so `bits` need not be a power of two and the
 * memory matches the design instead of doubling it.
 */
export class BloomTable {
  readonly bits: number;
  readonly hashes: number;
  readonly slots: number;
  readonly words: Uint32Array;
  /** Positions (0..bits-1) of the last located key's probes; reused, never reallocated. */
  readonly positions: Uint32Array;
  /** Bits set in each slot, kept up to date by `set` (the fill drives the false-positive estimate). */
  readonly bitsSet: Float64Array;
  /** Mask of the `slots` low bits, when a position's slots fit one 32-bit field (slots <= 32). */
  private readonly fieldMask: number;
  /** Per slot, the AND masks of one period (`slots` words = 32 positions) that clear that slot. */
  private readonly clearMasks: Uint32Array[] | undefined;
  /** Blocks of 32 positions each slot set bits in (windowed tables only; see dirty-blocks.ts). */
  private readonly dirty: DirtyBlocks | undefined;

  constructor(bits: number, hashes: number, slots: number) {
    // Bit indexes are 32-bit (`>>> 5`): bits x slots must stay below 2^32 (512 MiB of bits).
    if (bits * slots > 0xffffffff) {
      throw new SketchError('SKETCH_INVALID_OPTION', `a filter of ${bits} bits x ${slots} sub-windows exceeds 2^32 bits`);
    }
    this.bits = bits;
    this.hashes = hashes;
    this.slots = slots;
    this.words = new Uint32Array(Math.ceil((bits * slots) / 32));
    this.positions = new Uint32Array(hashes);
    this.bitsSet = new Float64Array(slots);
    this.fieldMask = slots >= 32 ? 0xffffffff : (1 << slots) - 1;
    this.clearMasks = slots > 1 && slots <= 32 ? periodMasks(slots) : undefined;
    this.dirty = slots > 1 ? new DirtyBlocks(Math.ceil(bits / 32), slots) : undefined;
  }

  get byteLength(): number {
    return this.words.byteLength;
  }

  locate(h1: number, h2: number): void {
    const { positions, hashes, bits } = this;
    for (let i = 0; i < hashes; i++) {
      // 2^-32 is exact in a double, and g * bits < 2^64 rounds to below bits * 2^32: the floor is < bits.
      positions[i] = Math.floor(((h1 + Math.imul(i, h2)) >>> 0) * bits * 2.3283064365386963e-10);
    }
  }

  /** True when every probe of the located key is set in `slot` (possibly present). */
  test(slot: number): boolean {
    const { positions, words, hashes, slots } = this;
    for (let i = 0; i < hashes; i++) {
      const b = positions[i]! * slots + slot;
      if ((words[b >>> 5]! & (1 << (b & 31))) === 0) return false;
    }
    return true;
  }

  /**
   * The slots in which every probe of the located key is set, as a bit mask (bit s = slot s), in k
   * reads; only for tables of at most 32 slots (`slots <= 32`; use `test` per slot otherwise).
   */
  presentSlots(): number {
    const { positions, words, hashes, slots, fieldMask } = this;
    let all = fieldMask;
    for (let i = 0; i < hashes && all !== 0; i++) {
      const start = positions[i]! * slots;
      const w = start >>> 5;
      const off = start & 31;
      let field = words[w]! >>> off;
      if (off + slots > 32) field |= words[w + 1]! << (32 - off);
      all &= field;
    }
    return all & fieldMask;
  }

  /** Sets the located key's probes in `slot`; returns true when all were already set. */
  set(slot: number): boolean {
    const { positions, words, hashes, slots } = this;
    let added = 0;
    for (let i = 0; i < hashes; i++) {
      const b = positions[i]! * slots + slot;
      const w = b >>> 5;
      const mask = 1 << (b & 31);
      const word = words[w]!;
      if ((word & mask) === 0) {
        words[w] = word | mask;
        added++;
        this.dirty?.mark(slot, positions[i]! >>> 5);
      }
    }
    this.bitsSet[slot] = this.bitsSet[slot]! + added;
    return added === 0;
  }

  /**
   * Empties one slot. With side-by-side slots this is strided: over the blocks of 32 positions the
   * slot set bits in since its last clear (see dirty-blocks.ts), or over the whole table when that
   * is unknown; a block's bits of all slots are exactly `slots` words, cleared with the slot's
   * repeating mask.
   */
  clear(slot: number): void {
    this.bitsSet[slot] = 0;
    const { words, slots } = this;
    if (this.dirty === undefined) {
      words.fill(0);
      return;
    }
    const known = this.dirty.drain(slot, (block) => this.clearBlocks(slot, block, block + 1));
    if (!known) this.clearBlocks(slot, 0, Math.ceil(this.bits / 32));
  }

  /** Clears `slot` in the positions of blocks [from, to) (32 positions each). */
  private clearBlocks(slot: number, from: number, to: number): void {
    const { words, slots } = this;
    const masks = this.clearMasks?.[slot];
    if (masks !== undefined) {
      const n = words.length;
      for (let b = from; b < to; b++) {
        const base = b * slots;
        for (let j = 0; j < slots && base + j < n; j++) words[base + j] = words[base + j]! & masks[j]!;
      }
      return;
    }
    const end = Math.min(this.bits, to * 32);
    for (let p = from * 32; p < end; p++) {
      const b = p * slots + slot;
      words[b >>> 5] = words[b >>> 5]! & ~(1 << (b & 31));
    }
  }

  /** Empties every slot (a jump in event time past the whole ring). */
  clearAll(): void {
    this.words.fill(0);
    this.bitsSet.fill(0);
    this.dirty?.reset();
  }

  /** The words were written from outside (a load): the next clear of each slot sweeps the whole table. */
  wordsReplaced(): void {
    this.dirty?.markAllUnknown();
  }

  /** Fraction of the bits of `slot` that are set. */
  fill(slot: number): number {
    return this.bitsSet[slot]! / this.bits;
  }

  /** Probability that an absent key passes `test` in `slot`, from its current fill. */
  falsePositiveRate(slot: number): number {
    return this.fill(slot) ** this.hashes;
  }

  /** ORs another table of the same shape into this one and recounts the set bits. */
  mergeFrom(other: BloomTable): void {
    const a = this.words;
    const b = other.words;
    for (let j = 0; j < a.length; j++) a[j] = a[j]! | b[j]!;
    this.recount();
    this.wordsReplaced();
  }

  /** False when a bit past the last position is set (only corrupt input does that). */
  paddingIsClear(): boolean {
    const used = (this.bits * this.slots) % 32;
    return used === 0 || this.words[this.words.length - 1]! >>> used === 0;
  }

  /** Recomputes `bitsSet` from the words (after a merge or a load). */
  recount(): void {
    const { words, slots, bitsSet } = this;
    bitsSet.fill(0);
    if (slots === 1) {
      let count = 0;
      for (let j = 0; j < words.length; j++) count += popcount32(words[j]!);
      bitsSet[0] = count;
      return;
    }
    // Bit b belongs to slot b mod slots: walk the set bits only.
    for (let j = 0; j < words.length; j++) {
      let word = words[j]!;
      while (word !== 0) {
        const low = word & -word;
        const b = j * 32 + (31 - Math.clz32(low));
        bitsSet[b % slots] = bitsSet[b % slots]! + 1;
        word ^= low;
      }
    }
  }
}

/** For each slot, the `slots` words of AND masks that clear its bits in one period of 32 positions. */
function periodMasks(slots: number): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let s = 0; s < slots; s++) {
    const masks = new Uint32Array(slots).fill(0xffffffff);
    for (let q = 0; q < 32; q++) {
      const b = q * slots + s;
      masks[b >>> 5] = masks[b >>> 5]! & ~(1 << (b & 31));
    }
    out.push(masks);
  }
  return out;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Fill expected after `items` distinct keys: 1 - e^(-k n / m). */
export function expectedFill(bits: number, hashes: number, items: number): number {
  return 1 - Math.exp((-hashes * items) / bits);
}

/** Optimal dimensions for n keys at false-positive rate p: m = -n ln p / ln²2, k = m/n ln 2. */
export function bloomDimensionsFor(expectedItems: number, falsePositiveRate: number): { bits: number; hashes: number } {
  const bits = Math.max(64, Math.ceil((-expectedItems * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2)));
  const hashes = Math.min(32, Math.max(1, Math.round((bits / expectedItems) * Math.LN2)));
  return { bits, hashes };
}
