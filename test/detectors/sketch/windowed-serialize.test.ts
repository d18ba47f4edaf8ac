import { describe, expect, it } from 'vitest';
import { codeOf, reseal } from './sketch-errors.js';
import { WindowedBloom } from '../../../detectors/sketch/windowed-bloom.js';
import { WindowedCountMin } from '../../../detectors/sketch/windowed-count-min.js';
import { WindowedDistinctCounter } from '../../../detectors/sketch/windowed-distinct.js';
import { prng } from './streams.js';

const MIN = 60_000;
const W = 60 * MIN;
const T0 = Date.UTC(2024, 6, 31, 10, 0, 0);
const WINDOW = { windowMs: W, subWindows: 12, allowedLatenessMs: 15 * MIN };

/** An out-of-order stream over 3 hours, split into a first and a second part. */
function stream(seed: number): { key: string; item: string; t: number }[] {
  const rand = prng(seed);
  const out: { key: string; item: string; t: number; arrival: number }[] = [];
  for (let i = 0; i < 8000; i++) {
    const t = T0 + Math.floor(rand() * 3 * W);
    out.push({ key: `role/${Math.floor(rand() * 20)}`, item: `s${Math.floor(rand() * 50)}`, t, arrival: t + Math.floor(rand() * 14 * MIN) });
  }
  return out.sort((a, b) => a.arrival - b.arrival);
}

describe('windowed sketches survive serialize / deserialize mid-stream', () => {
  it('WindowedCountMin: the copy answers and continues exactly like the original', () => {
    const events = stream(1);
    const a = new WindowedCountMin({ ...WINDOW, width: 1024, depth: 4, seed: 5 });
    for (const e of events.slice(0, 4000)) a.add(e.key, e.t);
    a.add('k', Number.NaN);
    a.add('k', 0);
    const bytes = a.serialize();
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('SWWC');
    const b = WindowedCountMin.deserialize(bytes);
    expect(b.serialize()).toEqual(bytes);
    expect([b.width, b.depth, b.seed, b.conservative, b.clock.slots, b.clock.windowMs]).toEqual([1024, 4, 5, true, 16, W]);
    expect([b.latestTimeMs, b.lateDropped, b.invalidTimes]).toEqual([a.latestTimeMs, 1, 1]);
    for (const e of events.slice(4000)) expect(b.add(e.key, e.t)).toBe(a.add(e.key, e.t));
    for (let g = 0; g < 20; g++) {
      for (const at of [a.latestTimeMs, a.watermarkMs]) expect(b.estimate(`role/${g}`, at)).toBe(a.estimate(`role/${g}`, at));
    }
    expect(b.serialize()).toEqual(a.serialize());
  });

  it('WindowedBloom: same answers, same bytes, saturation state kept', () => {
    const events = stream(2);
    const a = new WindowedBloom({ ...WINDOW, expectedItemsPerSubWindow: 100, falsePositiveRate: 0.01, seed: 8 });
    for (const e of events.slice(0, 4000)) a.add(`${e.key}|${e.item}`, e.t);
    const bytes = a.serialize();
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('SWWB');
    const b = WindowedBloom.deserialize(bytes);
    expect(b.serialize()).toEqual(bytes);
    expect([b.bits, b.hashes, b.seed, b.capacity, b.falsePositiveRate]).toEqual([a.bits, a.hashes, 8, 100, 0.01]);
    expect(b.saturated).toBe(a.saturated);
    expect(b.saturatedSubWindows).toBe(a.saturatedSubWindows);
    for (const e of events.slice(4000)) expect(b.add(`${e.key}|${e.item}`, e.t)).toBe(a.add(`${e.key}|${e.item}`, e.t));
    expect(b.serialize()).toEqual(a.serialize());
  });

  it('WindowedDistinctCounter: same counts before and after more events', () => {
    const events = stream(3);
    const a = new WindowedDistinctCounter({ ...WINDOW, expectedPairsPerSubWindow: 2000, groupWidth: 1024, seed: 9 });
    for (const e of events.slice(0, 4000)) a.add(e.key, e.item, e.t);
    const bytes = a.serialize();
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('SWWD');
    const b = WindowedDistinctCounter.deserialize(bytes);
    expect(b.serialize()).toEqual(bytes);
    expect(b.byteLength).toBe(a.byteLength);
    expect([b.groupWidth, b.groupDepth, b.seed, b.capacity]).toEqual([1024, 4, 9, 2000]);
    for (let g = 0; g < 20; g++) expect(b.count(`role/${g}`, a.latestTimeMs)).toBe(a.count(`role/${g}`, a.latestTimeMs));
    for (const e of events.slice(4000)) expect(b.add(e.key, e.item, e.t)).toBe(a.add(e.key, e.item, e.t));
    for (let g = 0; g < 20; g++) expect(b.count(`role/${g}`, a.latestTimeMs)).toBe(a.count(`role/${g}`, a.latestTimeMs));
    expect(b.estimatedError()).toEqual(a.estimatedError());
  });

  it('a fresh (never fed) structure round-trips too', () => {
    const c = new WindowedCountMin({ ...WINDOW, width: 64 });
    const copy = WindowedCountMin.deserialize(c.serialize());
    expect(copy.latestTimeMs).toBe(-Infinity);
    expect(copy.add('k', T0)).toBe('counted');
    expect(copy.estimate('k', T0)).toBe(1);
  });
});

describe('windowed sketches refuse damaged bytes', () => {
  const cms = new WindowedCountMin({ ...WINDOW, width: 64, seed: 1 });
  cms.add('k', T0);
  const cmsBytes = cms.serialize();
  const bloom = new WindowedBloom({ ...WINDOW, expectedItemsPerSubWindow: 100 });
  bloom.add('k', T0);
  const distinct = new WindowedDistinctCounter({ ...WINDOW, expectedPairsPerSubWindow: 100, groupWidth: 64 });
  distinct.add('g', 'i', T0);

  it('flipped, truncated or foreign bytes are SKETCH_CORRUPT', () => {
    const flipped = cmsBytes.slice();
    flipped[cmsBytes.length - 40]! ^= 4;
    expect(codeOf(() => WindowedCountMin.deserialize(flipped))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => WindowedCountMin.deserialize(cmsBytes.subarray(0, 100)))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => WindowedCountMin.deserialize(bloom.serialize()))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => WindowedBloom.deserialize(distinct.serialize()))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => WindowedDistinctCounter.deserialize(cmsBytes))).toBe('SKETCH_CORRUPT');
  });

  it('inconsistent header fields are SKETCH_CORRUPT even with a valid checksum', () => {
    const edit = (src: Uint8Array, f: (v: DataView) => void): Uint8Array => {
      const b = src.slice();
      f(new DataView(b.buffer));
      return reseal(b);
    };
    // Clock block of the windowed count-min starts at 48: W, S, L, newest time, newest bucket, slots.
    expect(codeOf(() => WindowedCountMin.deserialize(edit(cmsBytes, (v) => v.setFloat64(48 + 8, 7, true))))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => WindowedCountMin.deserialize(edit(cmsBytes, (v) => v.setFloat64(48 + 24, T0 + 10 * W, true))))).toBe(
      'SKETCH_CORRUPT',
    );
    expect(codeOf(() => WindowedCountMin.deserialize(edit(cmsBytes, (v) => v.setFloat64(24, -1, true))))).toBe('SKETCH_CORRUPT');
    expect(() => WindowedCountMin.deserialize(edit(cmsBytes, (v) => v.setFloat64(48 + 40, 1, true)))).toThrow(/outside the ring/);
    // Windowed Bloom: bits that do not follow from capacity and rate.
    expect(() => WindowedBloom.deserialize(edit(bloom.serialize(), (v) => v.setUint32(8, 1000, true)))).toThrow(/bits and hashes/);
    expect(codeOf(() => WindowedBloom.deserialize(edit(bloom.serialize(), (v) => v.setUint8(4, 9))))).toBe('SKETCH_UNSUPPORTED_VERSION');
  });
});
