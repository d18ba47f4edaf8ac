import { asCorrupt, checkCounter, closeFrame, corruptError, openFrame, readFrame, readWordsInto } from './codec.js';
import { bloomDimensionsFor, BloomTable, expectedFill } from './bloom-table.js';
import { fractionOption, intOption, invalidOption, SketchError, seedOption } from './errors.js';
import { KeyHasher } from './key-hasher.js';
import type { BloomOptions } from './types.js';

const MAGIC = 'SWBF';
const KIND = 'Bloom filter';
export const MAX_BLOOM_BITS = 2 ** 31;
export const MAX_BLOOM_HASHES = 32;

/** Validates bits and hashes; shared with the windowed filter. */
export function checkBloomShape(bits: unknown, hashes: unknown): { bits: number; hashes: number } {
  return { bits: intOption('bits', bits, 64, MAX_BLOOM_BITS), hashes: intOption('hashes', hashes, 1, MAX_BLOOM_HASHES) };
}

/**
 * Bloom filter for "seen before?" questions: no false negatives; false positives at a rate set by
 * the fill. local-peers.md measured a 4 MiB Bloom filter missing 0.003% of new pairs where a
 * 16 MiB count-min sketch missed 3.8%: for membership this is the structure to use.
 *
 * `saturated` turns true once the fill exceeds what `capacity` distinct keys would produce: from
 * then on the false-positive rate is above the design and `estimatedFalsePositiveRate()` says by
 * how much.
 */
export class BloomFilter {
  readonly bits: number;
  readonly hashes: number;
  readonly seed: number;
  readonly capacity: number;
  private readonly table: BloomTable;
  private readonly hasher: KeyHasher;
  private readonly designBitsSet: number;
  /** Adds of keys that were not (possibly) present, i.e. distinct keys added, minus false positives. */
  private added = 0;

  constructor(options: BloomOptions) {
    const { bits, hashes } = checkBloomShape(options.bits, options.hashes);
    this.bits = bits;
    this.hashes = hashes;
    this.seed = seedOption('seed', options.seed);
    const capacity = options.capacity ?? Math.floor((bits * Math.LN2) / hashes);
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 0xffffffff) {
      throw invalidOption('capacity', 'an integer in [1, 2^32 - 1]', capacity);
    }
    this.capacity = capacity;
    this.designBitsSet = expectedFill(bits, hashes, capacity) * bits;
    this.table = new BloomTable(bits, hashes, 1);
    this.hasher = new KeyHasher(this.seed);
  }

  /** Optimal bits and probes for `expectedItems` distinct keys at `falsePositiveRate`. */
  static dimensionsFor(expectedItems: number, falsePositiveRate: number): { bits: number; hashes: number } {
    intOption('expectedItems', expectedItems, 1, 0xffffffff);
    fractionOption('falsePositiveRate', falsePositiveRate);
    const dims = bloomDimensionsFor(expectedItems, falsePositiveRate);
    if (dims.bits > MAX_BLOOM_BITS) {
      throw new SketchError('SKETCH_INVALID_OPTION', `options 'expectedItems' and 'falsePositiveRate' need ${dims.bits} bits > 2^31`);
    }
    return dims;
  }

  /** A filter sized by `dimensionsFor`, with `capacity` = `expectedItems`. */
  static forCapacity(expectedItems: number, falsePositiveRate: number, seed = 0): BloomFilter {
    return new BloomFilter({ ...BloomFilter.dimensionsFor(expectedItems, falsePositiveRate), seed, capacity: expectedItems });
  }

  /** Adds `key`; returns true when it was possibly present already (false: certainly new). */
  add(key: string): boolean {
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    const present = this.table.set(0);
    if (!present) this.added++;
    return present;
  }

  /** True when `key` was possibly added; false means certainly not. */
  has(key: string): boolean {
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    return this.table.test(0);
  }

  /** Probability that a key never added passes `has`, from the current fill: fill^k. */
  estimatedFalsePositiveRate(): number {
    return this.table.falsePositiveRate(0);
  }

  /** The same at exactly `capacity` keys: (1 - e^(-k n / m))^k. */
  designFalsePositiveRate(): number {
    return expectedFill(this.bits, this.hashes, this.capacity) ** this.hashes;
  }

  /** Distinct keys estimated from the fill (Swamidass & Baldi 2007): -m/k ln(1 - X/m). */
  estimatedItems(): number {
    const fill = this.table.fill(0);
    return fill >= 1 ? Infinity : (-this.bits / this.hashes) * Math.log(1 - fill);
  }

  /** Fraction of bits set. */
  get fill(): number {
    return this.table.fill(0);
  }

  /** Number of `add` calls that found the key absent (so changed the filter). */
  get addedItems(): number {
    return this.added;
  }

  /** True once the fill exceeds the design fill at `capacity`. */
  get saturated(): boolean {
    return this.table.bitsSet[0]! > this.designBitsSet;
  }

  get byteLength(): number {
    return this.table.byteLength;
  }

  /** ORs another filter in: the result answers for the union of both key sets. */
  merge(other: BloomFilter): void {
    const diff =
      other.bits !== this.bits ? `bits ${other.bits} vs ${this.bits}`
      : other.hashes !== this.hashes ? `hashes ${other.hashes} vs ${this.hashes}`
      : other.seed !== this.seed ? `seed ${other.seed} vs ${this.seed}`
      : undefined;
    if (diff !== undefined) throw new SketchError('SKETCH_INCOMPATIBLE', `cannot merge Bloom filters: ${diff}`);
    this.table.mergeFrom(other.table);
    this.added += other.added;
  }

  /**
   * Self-describing bytes (see codec.ts); header fields from offset 8: bits u32, hashes u32,
   * seed u32, capacity u32, added f64; then the bit words.
   */
  serialize(): Uint8Array {
    const frame = openFrame(MAGIC, 0, { headerBytes: 24, bodyBytes: this.table.words.byteLength });
    frame.view.setUint32(8, this.bits, true);
    frame.view.setUint32(12, this.hashes, true);
    frame.view.setUint32(16, this.seed, true);
    frame.view.setUint32(20, this.capacity, true);
    frame.view.setFloat64(24, this.added, true);
    return closeFrame(frame, this.table.words);
  }

  /** Rebuilds a filter from `serialize` output; SKETCH_CORRUPT / SKETCH_UNSUPPORTED_VERSION otherwise. */
  static deserialize(bytes: Uint8Array): BloomFilter {
    let shape = { bits: 0, hashes: 0 };
    const { view, bodyOffset } = readFrame(bytes, MAGIC, KIND, 0, (v) => {
      shape = checkBloomShape(v.getUint32(8, true), v.getUint32(12, true));
      return { headerBytes: 24, bodyBytes: Math.ceil(shape.bits / 32) * 4 };
    });
    const added = asCorrupt(KIND, () => checkCounter('added count', view.getFloat64(24, true)));
    const filter = asCorrupt(
      KIND,
      () => new BloomFilter({ ...shape, seed: view.getUint32(16, true), capacity: view.getUint32(20, true) }),
    );
    readWordsInto(bytes, bodyOffset, filter.table.words);
    if (!filter.table.paddingIsClear()) throw corruptError(KIND, 'bits set beyond the filter size');
    filter.table.recount();
    filter.added = added;
    return filter;
  }
}
