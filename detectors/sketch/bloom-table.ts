/**
 * The bits of one or more Bloom filters of the same shape, in one `Uint32Array`: `slots` filters of
 * `bits` bits. A plain filter has one slot; a windowed one has one slot per sub-window, so a key is
 * hashed once and probed at the same positions in each.
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
  /** Bit positions of the last located key; reused, never reallocated. */
  readonly positions: Uint32Array;
  /** Bits set in each slot, kept up to date by `set` (the fill drives the false-positive estimate). */
  readonly bitsSet: Float64Array;
  private readonly wordsPerSlot: number;

  constructor(bits: number, hashes: number, slots: number) {
    this.bits = bits;
    this.hashes = hashes;
    this.slots = slots;
    this.wordsPerSlot = Math.ceil(bits / 32);
    this.words = new Uint32Array(this.wordsPerSlot * slots);
    this.positions = new Uint32Array(hashes);
    this.bitsSet = new Float64Array(slots);
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
    const { positions, words, hashes } = this;
    const base = slot * this.wordsPerSlot;
    for (let i = 0; i < hashes; i++) {
      const p = positions[i]!;
      if ((words[base + (p >>> 5)]! & (1 << (p & 31))) === 0) return false;
    }
    return true;
  }

  /** Sets the located key's probes in `slot`; returns true when all were already set. */
  set(slot: number): boolean {
    const { positions, words, hashes } = this;
    const base = slot * this.wordsPerSlot;
    let added = 0;
    for (let i = 0; i < hashes; i++) {
      const p = positions[i]!;
      const w = base + (p >>> 5);
      const mask = 1 << (p & 31);
      const word = words[w]!;
      if ((word & mask) === 0) {
        words[w] = word | mask;
        added++;
      }
    }
    this.bitsSet[slot] = this.bitsSet[slot]! + added;
    return added === 0;
  }

  clear(slot: number): void {
    this.words.fill(0, slot * this.wordsPerSlot, (slot + 1) * this.wordsPerSlot);
    this.bitsSet[slot] = 0;
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
  }

  /** False when a bit past `bits` is set in some slot's last word (only corrupt input does that). */
  paddingIsClear(): boolean {
    const tail = this.bits % 32;
    if (tail === 0) return true;
    for (let s = 1; s <= this.slots; s++) if (this.words[s * this.wordsPerSlot - 1]! >>> tail !== 0) return false;
    return true;
  }

  /** Recomputes `bitsSet` from the words (after a merge or a load). */
  recount(): void {
    for (let s = 0; s < this.slots; s++) {
      let count = 0;
      const end = (s + 1) * this.wordsPerSlot;
      for (let j = s * this.wordsPerSlot; j < end; j++) count += popcount32(this.words[j]!);
      this.bitsSet[s] = count;
    }
  }
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
