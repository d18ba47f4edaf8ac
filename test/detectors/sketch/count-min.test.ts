import { describe, expect, it } from 'vitest';
import { codeOf, reseal } from './sketch-errors.js';
import { CountMinSketch } from '../../../detectors/sketch/count-min.js';
import { CountMinTable, MAX_COUNT } from '../../../detectors/sketch/count-min-table.js';
import { KeyHasher } from '../../../detectors/sketch/key-hasher.js';
import { keyName, zipfStream } from './streams.js';

const KEYS = 100_000;
const STREAM = zipfStream(KEYS, 1_000_000, 1.1, 20240731);
const NAMES = Array.from({ length: KEYS }, (_, i) => keyName(i));
const TRUTH = new Float64Array(KEYS);
for (const r of STREAM) TRUTH[r]! += 1;

function fill(sketch: CountMinSketch, from = 0, to = STREAM.length): CountMinSketch {
  for (let i = from; i < to; i++) sketch.add(NAMES[STREAM[i]!]!);
  return sketch;
}

describe('CountMinSketch error bounds (width 2^12, depth 4, 1M events over 100k zipf keys)', () => {
  const plain = fill(new CountMinSketch({ width: 4096, depth: 4, seed: 1, conservative: false }));
  const conservative = fill(new CountMinSketch({ width: 4096, depth: 4, seed: 1 }));

  it('states epsilon = e / width and delta = e^-depth', () => {
    const bound = plain.errorBound();
    expect(bound.epsilon).toBeCloseTo(Math.E / 4096, 15);
    expect(bound.delta).toBeCloseTo(Math.exp(-4), 15);
    expect(bound.maxOvercount).toBeCloseTo((Math.E / 4096) * 1_000_000, 6);
    expect(plain.totalCount).toBe(1_000_000);
  });

  it.each([
    ['plain', plain],
    ['conservative', conservative],
  ])('%s: the fraction of keys over-estimated by more than epsilon*N is below delta', (_m, sketch) => {
    const { maxOvercount, delta } = sketch.errorBound();
    let over = 0;
    for (let k = 0; k < KEYS; k++) if (sketch.estimate(NAMES[k]!) - TRUTH[k]! > maxOvercount) over++;
    expect(over / KEYS).toBeLessThan(delta);
  });

  it('the bound is not vacuous: plain update over-estimates most keys, by far less than N / width', () => {
    let overestimated = 0;
    let plainError = 0;
    let conservativeError = 0;
    for (let k = 0; k < KEYS; k++) {
      const e = plain.estimate(NAMES[k]!) - TRUTH[k]!;
      if (e > 0) overestimated++;
      plainError += e;
      conservativeError += conservative.estimate(NAMES[k]!) - TRUTH[k]!;
    }
    expect(overestimated).toBeGreaterThan(KEYS / 2);
    // One row over-counts a key by N / width = 244 on average; the minimum of 4 independent rows
    // far less (about 38 here). Correlated rows would push this towards 244.
    expect(plainError / KEYS).toBeLessThan(1_000_000 / 4096 / 4);
    expect(conservativeError).toBeLessThan(plainError * 0.7);
  });

  it('never under-estimates, and conservative update is never above plain update', () => {
    let under = 0;
    let above = 0;
    let tighter = 0;
    for (let k = 0; k < KEYS; k++) {
      const c = conservative.estimate(NAMES[k]!);
      const p = plain.estimate(NAMES[k]!);
      if (c < TRUTH[k]! || p < TRUTH[k]!) under++;
      if (c > p) above++;
      if (c < p) tighter++;
    }
    expect(under).toBe(0);
    expect(above).toBe(0);
    expect(tighter).toBeGreaterThan(KEYS / 2);
  });
});

describe('CountMinSketch basics', () => {
  it('add returns the new estimate, counts n at once, and estimate agrees', () => {
    const s = new CountMinSketch({ width: 1024, depth: 4, seed: 9 });
    expect(s.add('a')).toBe(1);
    expect(s.add('a', 5)).toBe(6);
    expect(s.add('b', 0)).toBe(0);
    expect(s.estimate('a')).toBe(6);
    expect(s.estimate('never')).toBe(0);
    expect(s.totalCount).toBe(6);
    expect(s.byteLength).toBe(1024 * 4 * 4);
  });

  it('saturates at 2^32 - 1 instead of wrapping, and says so', () => {
    for (const conservative of [true, false]) {
      const s = new CountMinSketch({ width: 2, depth: 1, conservative });
      s.add('k', MAX_COUNT - 1);
      expect(s.saturated).toBe(false);
      expect(s.add('k', 1)).toBe(MAX_COUNT);
      expect(s.saturated).toBe(false);
      expect(s.add('k', 7)).toBe(MAX_COUNT);
      expect(s.estimate('k')).toBe(MAX_COUNT);
      expect(s.saturationEvents).toBe(1);
      expect(s.saturated).toBe(true);
    }
  });

  it('refuses counts that are not non-negative 32-bit integers', () => {
    const s = new CountMinSketch({ width: 16 });
    for (const n of [-1, 1.5, NaN, 2 ** 32]) expect(codeOf(() => s.add('k', n))).toBe('SKETCH_INVALID_ARGUMENT');
    expect(s.totalCount).toBe(0);
  });

  it('validates options with messages that name them', () => {
    expect(() => new CountMinSketch({ width: 1000 })).toThrow(/option 'width' must be a power of two/);
    expect(() => new CountMinSketch({ width: 1024, depth: 0 })).toThrow(/option 'depth'/);
    expect(() => new CountMinSketch({ width: 1024, seed: -1 })).toThrow(/option 'seed'/);
    expect(codeOf(() => new CountMinSketch({ width: 2 ** 29 }))).toBe('SKETCH_INVALID_OPTION');
  });

  it('dimensionsFor rounds width up to a power of two and depth to ln(1/delta)', () => {
    expect(CountMinSketch.dimensionsFor(0.001, 0.01)).toEqual({ width: 4096, depth: 5 });
    expect(CountMinSketch.dimensionsFor(Math.E / 65536, Math.exp(-4))).toEqual({ width: 65536, depth: 4 });
    expect(codeOf(() => CountMinSketch.dimensionsFor(0, 0.1))).toBe('SKETCH_INVALID_OPTION');
    expect(codeOf(() => CountMinSketch.dimensionsFor(0.1, 1))).toBe('SKETCH_INVALID_OPTION');
  });

  it('is deterministic for a seed and different across seeds', () => {
    const a = fill(new CountMinSketch({ width: 256, seed: 5 }), 0, 5000);
    const b = fill(new CountMinSketch({ width: 256, seed: 5 }), 0, 5000);
    const c = fill(new CountMinSketch({ width: 256, seed: 6 }), 0, 5000);
    expect(a.serialize()).toEqual(b.serialize());
    expect(a.serialize().subarray(32, -4)).not.toEqual(c.serialize().subarray(32, -4));
  });

  it('rows behave as independent hashes: keys do not collide in every row at once', () => {
    // With 20k keys at width 256, depth 4: about 2e8 key pairs. Independent rows give
    // 2e8 / 256^4 = 0.05 expected full collisions; low bits of h1 + i*h2 would give ~3000.
    const table = new CountMinTable(256, 4, 1);
    const hasher = new KeyHasher(3);
    const seen = new Map<string, number>();
    let full = 0;
    let rowZero = 0;
    const rowZeroSeen = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      hasher.hash(keyName(i));
      table.locate(hasher.h1, hasher.h2);
      const tuple = Array.from(table.rows).join(',');
      if (seen.has(tuple)) full++;
      seen.set(tuple, i);
      if (rowZeroSeen.has(table.rows[0]!)) rowZero++;
      rowZeroSeen.add(table.rows[0]!);
    }
    expect(rowZero).toBeGreaterThan(19_000); // single rows collide all the time...
    expect(full).toBeLessThanOrEqual(1); // ...all rows together practically never.
  });
});

describe('CountMinSketch merge', () => {
  it('plain update: merge of two halves equals the sketch of the whole stream', () => {
    const whole = fill(new CountMinSketch({ width: 4096, seed: 2, conservative: false }), 0, 200_000);
    const a = fill(new CountMinSketch({ width: 4096, seed: 2, conservative: false }), 0, 120_000);
    const b = fill(new CountMinSketch({ width: 4096, seed: 2, conservative: false }), 120_000, 200_000);
    a.merge(b);
    expect(a.serialize()).toEqual(whole.serialize());
    expect(a.totalCount).toBe(200_000);
  });

  it('conservative update: merge is between the truth and the plain sketch of the whole stream', () => {
    const a = fill(new CountMinSketch({ width: 4096, seed: 2 }), 0, 120_000);
    const b = fill(new CountMinSketch({ width: 4096, seed: 2 }), 120_000, 200_000);
    const whole = fill(new CountMinSketch({ width: 4096, seed: 2, conservative: false }), 0, 200_000);
    a.merge(b);
    const truth = new Float64Array(KEYS);
    for (let i = 0; i < 200_000; i++) truth[STREAM[i]!]! += 1;
    let under = 0;
    let abovePlain = 0;
    let overestimated = 0;
    for (let k = 0; k < KEYS; k += 7) {
      const m = a.estimate(NAMES[k]!);
      if (m < truth[k]!) under++;
      if (m > truth[k]!) overestimated++;
      if (m > whole.estimate(NAMES[k]!)) abovePlain++;
    }
    expect(under).toBe(0);
    expect(abovePlain).toBe(0);
    expect(overestimated).toBeGreaterThan(0);
  });

  it('refuses sketches of another shape, seed or mode with SKETCH_INCOMPATIBLE', () => {
    const base = new CountMinSketch({ width: 64, depth: 4, seed: 1 });
    const others = [
      new CountMinSketch({ width: 128, depth: 4, seed: 1 }),
      new CountMinSketch({ width: 64, depth: 3, seed: 1 }),
      new CountMinSketch({ width: 64, depth: 4, seed: 2 }),
      new CountMinSketch({ width: 64, depth: 4, seed: 1, conservative: false }),
    ];
    for (const o of others) expect(codeOf(() => base.merge(o))).toBe('SKETCH_INCOMPATIBLE');
  });

  it('merging saturates instead of wrapping', () => {
    const a = new CountMinSketch({ width: 2, depth: 1, conservative: false });
    const b = new CountMinSketch({ width: 2, depth: 1, conservative: false });
    a.add('k', MAX_COUNT - 1);
    b.add('k', 2);
    a.merge(b);
    expect(a.estimate('k')).toBe(MAX_COUNT);
    expect(a.saturated).toBe(true);
  });
});

describe('CountMinSketch serialization', () => {
  const sketch = fill(new CountMinSketch({ width: 1024, depth: 3, seed: 0xdeadbeef }), 0, 50_000);
  const bytes = sketch.serialize();

  it('writes the documented header', () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('SWCM');
    expect(bytes[4]).toBe(3);
    expect(bytes[5]).toBe(1); // conservative flag
    expect(view.getUint32(8, true)).toBe(1024);
    expect(view.getUint32(12, true)).toBe(3);
    expect(view.getUint32(16, true)).toBe(0xdeadbeef);
    expect(view.getFloat64(24, true)).toBe(50_000);
    expect(view.getUint32(32, true)).toBe(32); // counter bits (format version 2 and up)
    expect(bytes.length).toBe(40 + 1024 * 3 * 4 + 4);
  });

  it('round-trips: same estimates, same bytes, still mergeable', () => {
    const copy = CountMinSketch.deserialize(bytes);
    expect(copy.serialize()).toEqual(bytes);
    expect([copy.width, copy.depth, copy.seed, copy.conservative]).toEqual([1024, 3, 0xdeadbeef, true]);
    for (let k = 0; k < 2000; k++) expect(copy.estimate(NAMES[k]!)).toBe(sketch.estimate(NAMES[k]!));
    copy.add(NAMES[0]!);
    expect(copy.estimate(NAMES[0]!)).toBe(sketch.estimate(NAMES[0]!) + 1);
    // Unaligned input (a slice of a larger buffer) reads the same.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(CountMinSketch.deserialize(shifted.subarray(1)).serialize()).toEqual(bytes);
  });

  it('reports corrupt input with SKETCH_CORRUPT and newer versions with SKETCH_UNSUPPORTED_VERSION', () => {
    const flipped = bytes.slice();
    flipped[100]! ^= 1;
    expect(codeOf(() => CountMinSketch.deserialize(flipped))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize(bytes.subarray(0, bytes.length - 1)))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize(new Uint8Array(10)))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize('SWCM' as unknown as Uint8Array))).toBe('SKETCH_CORRUPT');
    expect(() => CountMinSketch.deserialize(flipped)).toThrow(/checksum/);
  });

  it('checks header fields even when the checksum is right', () => {
    const edit = (f: (v: DataView, b: Uint8Array) => void): Uint8Array => {
      const b = bytes.slice();
      f(new DataView(b.buffer), b);
      return reseal(b);
    };
    expect(codeOf(() => CountMinSketch.deserialize(edit((_v, b) => (b[0] = 0x58))))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize(edit((_v, b) => (b[4] = 4))))).toBe('SKETCH_UNSUPPORTED_VERSION');
    expect(codeOf(() => CountMinSketch.deserialize(edit((_v, b) => (b[5] = 0x80))))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize(edit((v) => v.setUint32(8, 1000, true))))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize(edit((v) => v.setUint32(8, 2048, true))))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize(edit((v) => v.setFloat64(24, -1, true))))).toBe('SKETCH_CORRUPT');
  });
});
