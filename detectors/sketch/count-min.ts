import { asCorrupt, checkCounter, closeFrame, counterBitsField, openFrame, readFrame, readWordsInto } from './codec.js';
import { CountMinTable, counterBitsOption, type CounterBits } from './count-min-table.js';
import { fractionOption, intOption, SketchError, seedOption } from './errors.js';
import { KeyHasher } from './key-hasher.js';
import type { CountMinErrorBound, CountMinOptions } from './types.js';

const MAGIC = 'SWCM';
const KIND = 'count-min sketch';
const FLAG_CONSERVATIVE = 1;
export const MAX_CMS_WIDTH = 2 ** 28;
export const MAX_CMS_DEPTH = 32;

/** Validates width (power of two) and depth; shared with the windowed sketch. */
export function checkCountMinShape(width: unknown, depth: unknown): { width: number; depth: number } {
  const w = intOption('width', width, 2, MAX_CMS_WIDTH);
  if ((w & (w - 1)) !== 0) throw new SketchError('SKETCH_INVALID_OPTION', `option 'width' must be a power of two (got ${w})`);
  return { width: w, depth: intOption('depth', depth ?? 4, 1, MAX_CMS_DEPTH) };
}

/** Counts are non-negative 32-bit integers; checked with one comparison on the hot path. */
export function checkCount(n: number): void {
  if (n >>> 0 !== n) {
    throw new SketchError('SKETCH_INVALID_ARGUMENT', `count must be an integer in [0, 2^32 - 1] (got ${String(n)})`);
  }
}

/**
 * Count-min sketch (Cormode & Muthukrishnan 2005) on one typed array of depth x width counters of
 * 8, 16 or 32 bits (`counterBits`, default 32).
 *
 * Guarantee: `estimate(key)` is never below the key's true count, and exceeds it by more than
 * epsilon * N (epsilon = e / width, N = total of all counts added) with probability at most
 * delta = e^-depth. Conservative update (default) keeps that bound and is much tighter in practice.
 *
 * Merge: plain-update sketches merge into exactly the sketch of the combined stream. Conservative
 * counters are not sums, so a merge of conservative sketches is not the sketch the combined stream
 * would have built: it is still never below any key's combined count (each part's minimum is at
 * least the key's count in that part), and never above the plain-update sketch of the combined
 * stream (a conservative counter never exceeds the plain one), so the epsilon/delta bound holds.
 *
 * Counters saturate at their maximum (255, 65,535, 2^32 - 1) instead of wrapping; an estimate is
 * then never below min(true count, maximum), and `saturationEvents` counts the clamps.
 */
export class CountMinSketch {
  readonly width: number;
  readonly depth: number;
  readonly seed: number;
  readonly conservative: boolean;
  readonly counterBits: CounterBits;
  private readonly table: CountMinTable;
  private readonly hasher: KeyHasher;

  constructor(options: CountMinOptions) {
    const { width, depth } = checkCountMinShape(options.width, options.depth);
    this.width = width;
    this.depth = depth;
    this.seed = seedOption('seed', options.seed);
    this.conservative = options.conservative ?? true;
    this.counterBits = counterBitsOption('counterBits', options.counterBits);
    this.table = new CountMinTable(width, depth, 1, this.counterBits);
    this.hasher = new KeyHasher(this.seed);
  }

  /**
   * Dimensions for a target error: width = e / epsilon rounded up to a power of two (so the real
   * epsilon is at most the one asked), depth = ceil(ln(1 / delta)).
   */
  static dimensionsFor(epsilon: number, delta: number): { width: number; depth: number } {
    fractionOption('epsilon', epsilon);
    fractionOption('delta', delta);
    const width = 2 ** Math.max(1, Math.ceil(Math.log2(Math.E / epsilon)));
    if (width > MAX_CMS_WIDTH) throw new SketchError('SKETCH_INVALID_OPTION', `option 'epsilon' needs width ${width} > 2^28`);
    const depth = Math.ceil(Math.log(1 / delta));
    if (depth > MAX_CMS_DEPTH) throw new SketchError('SKETCH_INVALID_OPTION', `option 'delta' needs depth ${depth} > ${MAX_CMS_DEPTH}`);
    return { width, depth };
  }

  /** Adds `n` occurrences of `key` and returns its new estimate. */
  add(key: string, n = 1): number {
    checkCount(n);
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    return this.table.add(0, n, this.conservative);
  }

  /** Estimated count of `key`: never below the truth (see the class comment for the bound). */
  estimate(key: string): number {
    this.hasher.hash(key);
    this.table.locate(this.hasher.h1, this.hasher.h2);
    return this.table.min(0);
  }

  /** Total of all counts added (N). */
  get totalCount(): number {
    return this.table.totals[0]!;
  }

  errorBound(): CountMinErrorBound {
    const epsilon = Math.E / this.width;
    return { epsilon, delta: Math.exp(-this.depth), maxOvercount: epsilon * this.totalCount };
  }

  /** Bytes of counter memory (fixed at construction). */
  get byteLength(): number {
    return this.table.byteLength;
  }

  /** The value counters saturate at: 255, 65,535 or 2^32 - 1. */
  get maxCount(): number {
    return this.table.max;
  }

  /** Number of clamps at `maxCount` (see CountMinTable.saturationEvents). */
  get saturationEvents(): number {
    return this.table.saturationEvents;
  }

  /** True once any counter was clamped: an estimate equal to `maxCount` then means "at least maxCount". */
  get saturated(): boolean {
    return this.table.saturationEvents > 0;
  }

  /**
   * Adds another sketch's counts into this one (see the class comment for what the result means).
   * Throws SKETCH_INCOMPATIBLE unless width, depth, seed, update mode and counter width are the same.
   */
  merge(other: CountMinSketch): void {
    const diff =
      other.width !== this.width ? `width ${other.width} vs ${this.width}`
      : other.depth !== this.depth ? `depth ${other.depth} vs ${this.depth}`
      : other.seed !== this.seed ? `seed ${other.seed} vs ${this.seed}`
      : other.conservative !== this.conservative ? 'conservative vs plain update'
      : other.counterBits !== this.counterBits ? `counter width ${other.counterBits} vs ${this.counterBits} bits`
      : undefined;
    if (diff !== undefined) throw new SketchError('SKETCH_INCOMPATIBLE', `cannot merge count-min sketches: ${diff}`);
    this.table.mergeFrom(other.table);
  }

  /**
   * Self-describing bytes (see codec.ts), format version 3; header fields from offset 8: width
   * u32, depth u32, seed u32, clamps u32, N f64, counter bits u32, 0 u32; then the counters row by
   * row, `counterBits / 8` bytes each; flag bit 0 = conservative.
   */
  serialize(): Uint8Array {
    const frame = openFrame(MAGIC, this.conservative ? FLAG_CONSERVATIVE : 0, { headerBytes: 32, bodyBytes: this.table.byteLength });
    frame.view.setUint32(8, this.width, true);
    frame.view.setUint32(12, this.depth, true);
    frame.view.setUint32(16, this.seed, true);
    frame.view.setUint32(20, Math.min(this.table.saturationEvents, 0xffffffff), true);
    frame.view.setFloat64(24, this.totalCount, true);
    frame.view.setUint32(32, this.counterBits, true);
    return closeFrame(frame, this.table.counters);
  }

  /** Rebuilds a sketch from `serialize` output; SKETCH_CORRUPT / SKETCH_UNSUPPORTED_VERSION otherwise. */
  static deserialize(bytes: Uint8Array): CountMinSketch {
    let shape = { width: 0, depth: 0 };
    let counterBits: CounterBits = 32;
    const { view, bodyOffset } = readFrame(bytes, MAGIC, KIND, FLAG_CONSERVATIVE, (v) => {
      shape = checkCountMinShape(v.getUint32(8, true), v.getUint32(12, true));
      counterBits = counterBitsField(v.getUint32(32, true));
      if (v.getUint32(36, true) !== 0) throw new Error('reserved field is not 0');
      return { headerBytes: 32, bodyBytes: (shape.width * shape.depth * counterBits) / 8 };
    });
    const total = asCorrupt(KIND, () => checkCounter('total count', view.getFloat64(24, true)));
    const sketch = new CountMinSketch({
      width: shape.width,
      depth: shape.depth,
      seed: view.getUint32(16, true),
      conservative: (view.getUint8(5) & FLAG_CONSERVATIVE) !== 0,
      counterBits,
    });
    readWordsInto(bytes, bodyOffset, sketch.table.counters);
    sketch.table.totals[0] = total;
    sketch.table.saturationEvents = view.getUint32(20, true);
    return sketch;
  }
}
