import { describe, expect, it } from 'vitest';
import { codeOf, reseal } from './sketch-errors.js';
import { BloomFilter } from '../../../detectors/sketch/bloom-filter.js';
import { CountMinSketch } from '../../../detectors/sketch/count-min.js';
import { keyName } from './streams.js';

function filled(n: number, p: number, seed = 0, offset = 0): BloomFilter {
  const f = BloomFilter.forCapacity(n, p, seed);
  for (let i = 0; i < n; i++) f.add(keyName(offset + i));
  return f;
}

describe('BloomFilter dimensions', () => {
  it('dimensionsFor gives m = -n ln p / ln²2 bits and k = round(m/n ln 2) probes', () => {
    expect(BloomFilter.dimensionsFor(1_000_000, 0.01)).toEqual({ bits: 9_585_059, hashes: 7 });
    expect(BloomFilter.dimensionsFor(1000, 0.001)).toEqual({ bits: 14_378, hashes: 10 });
    expect(codeOf(() => BloomFilter.dimensionsFor(0, 0.01))).toBe('SKETCH_INVALID_OPTION');
    expect(codeOf(() => BloomFilter.dimensionsFor(10, 1))).toBe('SKETCH_INVALID_OPTION');
    expect(codeOf(() => BloomFilter.dimensionsFor(2 ** 31, 1e-9))).toBe('SKETCH_INVALID_OPTION');
  });

  it('memory is the bit array rounded up to 32-bit words', () => {
    expect(BloomFilter.forCapacity(1_000_000, 0.01).byteLength).toBe(Math.ceil(9_585_059 / 32) * 4);
  });

  it('validates options by name', () => {
    expect(() => new BloomFilter({ bits: 10, hashes: 3 })).toThrow(/option 'bits'/);
    expect(() => new BloomFilter({ bits: 1024, hashes: 0 })).toThrow(/option 'hashes'/);
    expect(() => new BloomFilter({ bits: 1024, hashes: 3, capacity: 0 })).toThrow(/option 'capacity'/);
  });
});

describe('BloomFilter behaviour', () => {
  const n = 100_000;
  const p = 0.01;
  const filter = filled(n, p, 7);

  it('has no false negatives', () => {
    let missing = 0;
    for (let i = 0; i < n; i++) if (!filter.has(keyName(i))) missing++;
    expect(missing).toBe(0);
  });

  it('false-positive rate at capacity is close to the design, and the fill-based estimate agrees', () => {
    let fp = 0;
    const probes = 200_000;
    for (let i = 0; i < probes; i++) if (filter.has(keyName(10_000_000 + i))) fp++;
    const observed = fp / probes;
    // Binomial sd at p = 0.01 over 200k probes is 0.00022: +-20% is over 9 sd.
    expect(observed).toBeGreaterThan(p * 0.8);
    expect(observed).toBeLessThan(p * 1.2);
    expect(filter.designFalsePositiveRate()).toBeCloseTo(0.01, 3);
    expect(Math.abs(filter.estimatedFalsePositiveRate() - observed) / observed).toBeLessThan(0.1);
    expect(filter.fill).toBeGreaterThan(0.45);
    expect(filter.fill).toBeLessThan(0.55);
    expect(Math.abs(filter.estimatedItems() - n) / n).toBeLessThan(0.02);
  });

  it('add reports whether the key was possibly present', () => {
    const f = BloomFilter.forCapacity(1000, 0.001, 3);
    expect(f.add('arn:aws:iam::1:role/a')).toBe(false);
    expect(f.add('arn:aws:iam::1:role/a')).toBe(true);
    expect(f.has('arn:aws:iam::1:role/a')).toBe(true);
    expect(f.has('arn:aws:iam::1:role/b')).toBe(false);
    expect(f.addedItems).toBe(1);
  });

  it('turns saturated once the fill exceeds the design capacity', () => {
    const f = BloomFilter.forCapacity(10_000, 0.01, 1);
    for (let i = 0; i < 9_500; i++) f.add(keyName(i));
    expect(f.saturated).toBe(false);
    for (let i = 9_500; i < 11_000; i++) f.add(keyName(i));
    expect(f.saturated).toBe(true);
    expect(f.estimatedFalsePositiveRate()).toBeGreaterThan(f.designFalsePositiveRate());
  });
});

describe('BloomFilter merge', () => {
  it('merge is the union: equal to one filter of both key sets', () => {
    const a = filled(5000, 0.01, 4);
    const b = BloomFilter.forCapacity(5000, 0.01, 4);
    for (let i = 5000; i < 9000; i++) b.add(keyName(i));
    const both = filled(5000, 0.01, 4);
    for (let i = 5000; i < 9000; i++) both.add(keyName(i));
    a.merge(b);
    expect(a.serialize().subarray(32, -4)).toEqual(both.serialize().subarray(32, -4));
    expect(a.fill).toBe(both.fill);
    for (let i = 0; i < 9000; i += 13) expect(a.has(keyName(i))).toBe(true);
  });

  it('refuses other dimensions or seeds', () => {
    const a = new BloomFilter({ bits: 1024, hashes: 4, seed: 1 });
    expect(codeOf(() => a.merge(new BloomFilter({ bits: 2048, hashes: 4, seed: 1 })))).toBe('SKETCH_INCOMPATIBLE');
    expect(codeOf(() => a.merge(new BloomFilter({ bits: 1024, hashes: 5, seed: 1 })))).toBe('SKETCH_INCOMPATIBLE');
    expect(codeOf(() => a.merge(new BloomFilter({ bits: 1024, hashes: 4, seed: 2 })))).toBe('SKETCH_INCOMPATIBLE');
  });
});

describe('BloomFilter serialization', () => {
  const f = filled(3000, 0.001, 0xabcdef);
  const bytes = f.serialize();

  it('round-trips header, bits, fill and saturation state', () => {
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('SWBF');
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(8, true), view.getUint32(12, true), view.getUint32(16, true), view.getUint32(20, true)]).toEqual([
      f.bits,
      f.hashes,
      0xabcdef,
      3000,
    ]);
    const copy = BloomFilter.deserialize(bytes);
    expect(copy.serialize()).toEqual(bytes);
    expect(copy.fill).toBe(f.fill);
    expect(copy.addedItems).toBe(f.addedItems);
    for (let i = 0; i < 3000; i += 7) expect(copy.has(keyName(i))).toBe(true);
  });

  it('refuses corrupt bytes and other kinds of sketch', () => {
    const flipped = bytes.slice();
    flipped[40]! ^= 0x10;
    expect(codeOf(() => BloomFilter.deserialize(flipped))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => BloomFilter.deserialize(new CountMinSketch({ width: 64 }).serialize()))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => CountMinSketch.deserialize(bytes))).toBe('SKETCH_CORRUPT');
    // A bit set past the end of the filter, with a valid checksum.
    const odd = new BloomFilter({ bits: 100, hashes: 2 }).serialize();
    const view = new DataView(odd.buffer);
    view.setUint32(32 + 3 * 4, 1 << 10, true);
    reseal(odd);
    expect(() => BloomFilter.deserialize(odd)).toThrow(/beyond the filter size/);
  });
});
