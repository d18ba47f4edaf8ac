import { describe, expect, it } from 'vitest';
import { codeOf, reseal } from './sketch-errors.js';
import { CountMinSketch } from '../../../detectors/sketch/count-min.js';
import { WindowedCountMin } from '../../../detectors/sketch/windowed-count-min.js';
import { WindowedDistinctCounter } from '../../../detectors/sketch/windowed-distinct.js';
import { keyName, prng, zipfStream } from './streams.js';

const MIN = 60_000;
const W = 60 * MIN;
const B = 15 * MIN;
const T0 = Date.UTC(2024, 6, 31, 10, 0, 0);
const WIDTHS = [8, 16, 32] as const;
const MAX = { 8: 255, 16: 65_535, 32: 0xffffffff } as const;

function edit(src: Uint8Array, f: (v: DataView) => void): Uint8Array {
  const b = src.slice();
  f(new DataView(b.buffer));
  return reseal(b);
}

// 20,000 zipf keys, 300,000 events: the top keys occur thousands of times (past 255), most a few.
const KEYS = 20_000;
const STREAM = zipfStream(KEYS, 300_000, 1.1, 77);
const NAMES = Array.from({ length: KEYS }, (_, i) => keyName(i));
const TRUTH = new Float64Array(KEYS);
for (const r of STREAM) TRUTH[r]! += 1;

describe('counter widths: saturation', () => {
  it.each([
    [8, 255],
    [16, 65_535],
  ] as const)('%i-bit counters stop at %i, in both update modes, and say so', (bits, max) => {
    for (const conservative of [true, false]) {
      const s = new CountMinSketch({ width: 2, depth: 1, conservative, counterBits: bits });
      expect(s.maxCount).toBe(max);
      expect(s.byteLength).toBe((2 * bits) / 8);
      expect(s.add('k', max - 1)).toBe(max - 1);
      expect(s.add('k', 1)).toBe(max);
      expect(s.saturated).toBe(false);
      expect(s.add('k', 7)).toBe(max);
      expect(s.add('k', 2 ** 32 - 1)).toBe(max);
      expect(s.estimate('k')).toBe(max);
      expect(s.saturationEvents).toBe(2);
      expect(s.saturated).toBe(true);
      expect(s.totalCount).toBe(max + 7 + 2 ** 32 - 1);
    }
  });

  it('a windowed sketch saturates per sub-window: the window sum still passes the maximum', () => {
    const w = new WindowedCountMin({ windowMs: W, subWindows: 4, width: 2, depth: 1, counterBits: 8 });
    w.add('k', T0, 300);
    expect(w.estimate('k', T0)).toBe(255);
    w.add('k', T0 + B, 300);
    expect(w.estimate('k', T0 + B)).toBe(510);
    expect(w.saturationEvents).toBe(2);
    expect(w.maxCount).toBe(255);
  });

  it('narrow counters are the 32-bit counters clamped: never below min(true count, max)', () => {
    for (const conservative of [true, false]) {
      const wide = new CountMinSketch({ width: 1024, depth: 4, seed: 3, conservative });
      const narrow = { 8: new CountMinSketch({ width: 1024, depth: 4, seed: 3, conservative, counterBits: 8 }),
        16: new CountMinSketch({ width: 1024, depth: 4, seed: 3, conservative, counterBits: 16 }) };
      for (const r of STREAM) {
        wide.add(NAMES[r]!);
        narrow[8].add(NAMES[r]!);
        narrow[16].add(NAMES[r]!);
      }
      let above255 = 0;
      for (let k = 0; k < KEYS; k++) {
        const w = wide.estimate(NAMES[k]!);
        if (TRUTH[k]! > 255) above255++;
        for (const bits of [8, 16] as const) {
          const e = narrow[bits].estimate(NAMES[k]!);
          // Exact for both modes: clamping commutes with sums (plain) and with max(c, min + n) (conservative).
          if (e !== Math.min(w, MAX[bits])) throw new Error(`key ${k}, ${bits} bits: ${e} vs min(${w}, ${MAX[bits]})`);
          if (e < Math.min(TRUTH[k]!, MAX[bits])) throw new Error(`key ${k}, ${bits} bits: ${e} under min(${TRUTH[k]}, max)`);
        }
      }
      expect(above255).toBeGreaterThan(50);
      expect(narrow[8].saturated).toBe(true);
      expect(narrow[16].saturated).toBe(false);
    }
  });

  it('windowed count-min: never below min(true count in the window, max)', () => {
    const rand = prng(5);
    const mk = (counterBits: 8 | 32) => new WindowedCountMin({ windowMs: W, subWindows: 4, width: 512, depth: 4, seed: 2, counterBits });
    const wide = mk(32);
    const narrow = mk(8);
    const times = new Map<number, number[]>();
    for (let i = 0; i < STREAM.length; i++) {
      const t = T0 + Math.floor((i * 3 * W) / STREAM.length) + Math.floor(rand() * MIN);
      const k = STREAM[i]!;
      wide.add(NAMES[k]!, t);
      narrow.add(NAMES[k]!, t);
      if (k < 2000) (times.get(k) ?? times.set(k, []).get(k)!).push(t);
    }
    const now = wide.latestTimeMs;
    const first = Math.floor((now - W + 1) / B) * B;
    let clamped = 0;
    for (let k = 0; k < 2000; k++) {
      const inWindow = (times.get(k) ?? []).filter((t) => t >= first).length;
      const n = narrow.estimate(NAMES[k]!, now);
      const w = wide.estimate(NAMES[k]!, now);
      if (n < Math.min(inWindow, 255) || n > w) throw new Error(`key ${k}: ${n} vs true ${inWindow}, 32-bit ${w}`);
      if (n < w) clamped++;
    }
    expect(clamped).toBeGreaterThan(0);
  });

  it('distinct counter: a saturated group counter stays saturated when pairs move out of it', () => {
    const c = new WindowedDistinctCounter({
      windowMs: W, subWindows: 4, expectedPairsPerSubWindow: 10_000, groupWidth: 64, seed: 4, counterBits: 8,
    });
    expect(c.maxCount).toBe(255);
    for (let i = 0; i < 300; i++) c.add('role/sweeper', `secret-${i}`, T0 + i);
    expect(c.count('role/sweeper', T0 + 299)).toBe(255);
    // 100 of them read again one sub-window later: each moves (subtract there, add here). Lowering
    // the clamped 255 by 100 would leave 155 + 100 = 255 < 300 distinct: an under-count.
    for (let i = 0; i < 100; i++) c.add('role/sweeper', `secret-${i}`, T0 + B + i);
    expect(c.count('role/sweeper', T0 + B + 99)).toBe(355);
    expect(c.saturationEvents).toBeGreaterThan(0);
  });

  it('distinct counter: narrow counts are never below min(32-bit count, max)', () => {
    const mk = (counterBits: 8 | 32) =>
      new WindowedDistinctCounter({ windowMs: W, subWindows: 4, expectedPairsPerSubWindow: 50_000, groupWidth: 256, seed: 6, counterBits });
    const wide = mk(32);
    const narrow = mk(8);
    const rand = prng(8);
    let differ = 0;
    for (let i = 0; i < 120_000; i++) {
      const g = `g${STREAM[i]! % 500}`;
      const item = `s${Math.floor(rand() * 400)}`;
      const t = T0 + Math.floor((i * 2 * W) / 120_000);
      // The pair filters do not depend on the counter width: same new/seen answers.
      if (narrow.add(g, item, t) !== wide.add(g, item, t)) differ++;
    }
    expect(differ).toBe(0);
    let clamped = 0;
    for (let g = 0; g < 500; g++) {
      const n = narrow.count(`g${g}`, narrow.latestTimeMs);
      const w = wide.count(`g${g}`, wide.latestTimeMs);
      if (n < Math.min(w, 255)) throw new Error(`g${g}: ${n} < min(${w}, 255)`);
      if (n !== w) clamped++;
    }
    expect(clamped).toBeGreaterThan(0);
  });
});

describe('counter widths: options and merge', () => {
  it('refuses widths other than 8, 16 and 32 with a message naming the option', () => {
    for (const bad of [12, 64, 0, '8']) {
      const counterBits = bad as unknown as 8;
      expect(codeOf(() => new CountMinSketch({ width: 16, counterBits }))).toBe('SKETCH_INVALID_OPTION');
      expect(() => new WindowedCountMin({ windowMs: W, subWindows: 4, width: 16, counterBits })).toThrow(/option 'counterBits'/);
      expect(() => new WindowedDistinctCounter({ windowMs: W, subWindows: 4, expectedPairsPerSubWindow: 10, counterBits })).toThrow(
        /option 'counterBits'/,
      );
    }
    expect(new CountMinSketch({ width: 16 }).counterBits).toBe(32);
  });

  it('merges only sketches of the same counter width', () => {
    const a = new CountMinSketch({ width: 64, counterBits: 8, conservative: false });
    const b = new CountMinSketch({ width: 64, counterBits: 8, conservative: false });
    a.add('k', 200);
    b.add('k', 100);
    a.merge(b);
    expect(a.estimate('k')).toBe(255);
    expect(a.saturated).toBe(true);
    for (const other of [new CountMinSketch({ width: 64, conservative: false }), new CountMinSketch({ width: 64, counterBits: 16, conservative: false })]) {
      expect(codeOf(() => a.merge(other))).toBe('SKETCH_INCOMPATIBLE');
      expect(() => a.merge(other)).toThrow(/counter width (32|16) vs 8 bits/);
    }
  });
});

describe('counter widths: serialization (format version 3)', () => {
  it.each(WIDTHS)('count-min sketch, %i-bit: header names the width, body is width x depth x bits/8, round trip', (bits) => {
    const s = new CountMinSketch({ width: 256, depth: 3, seed: 9, counterBits: bits });
    for (let i = 0; i < 20_000; i++) s.add(NAMES[STREAM[i]!]!);
    const bytes = s.serialize();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(bytes[4]).toBe(3);
    expect(view.getUint32(32, true)).toBe(bits);
    expect(bytes.length).toBe(8 + 32 + (256 * 3 * bits) / 8 + 4);
    const copy = CountMinSketch.deserialize(bytes);
    expect(copy.counterBits).toBe(bits);
    expect(copy.saturated).toBe(s.saturated);
    expect(copy.serialize()).toEqual(bytes);
    for (let k = 0; k < 1000; k++) expect(copy.estimate(NAMES[k]!)).toBe(s.estimate(NAMES[k]!));
    if (bits === 8) expect(copy.estimate(NAMES[0]!)).toBe(255);
  });

  it.each(WIDTHS)('windowed count-min, %i-bit: round trip', (bits) => {
    const s = new WindowedCountMin({ windowMs: W, subWindows: 4, allowedLatenessMs: B, width: 128, depth: 4, seed: 1, counterBits: bits });
    for (let i = 0; i < 20_000; i++) s.add(NAMES[STREAM[i]!]!, T0 + i * 500);
    const bytes = s.serialize();
    expect(new DataView(bytes.buffer).getUint32(20, true)).toBe(bits);
    const copy = WindowedCountMin.deserialize(bytes);
    expect([copy.counterBits, copy.byteLength]).toEqual([bits, (6 * 4 * 128 * bits) / 8]);
    expect(copy.serialize()).toEqual(bytes);
    for (let k = 0; k < 1000; k++) expect(copy.estimate(NAMES[k]!, s.latestTimeMs)).toBe(s.estimate(NAMES[k]!, s.latestTimeMs));
  });

  it.each(WIDTHS)('windowed distinct counter, %i-bit: round trip', (bits) => {
    const s = new WindowedDistinctCounter({ windowMs: W, subWindows: 4, expectedPairsPerSubWindow: 5000, groupWidth: 64, seed: 3, counterBits: bits });
    for (let i = 0; i < 20_000; i++) s.add(`g${STREAM[i]! % 50}`, `s${i % 700}`, T0 + i * 500);
    const bytes = s.serialize();
    expect(new DataView(bytes.buffer).getUint32(20, true)).toBe(bits);
    const copy = WindowedDistinctCounter.deserialize(bytes);
    expect([copy.counterBits, copy.byteLength]).toEqual([bits, s.byteLength]);
    expect(copy.serialize()).toEqual(bytes);
    for (let g = 0; g < 50; g++) expect(copy.count(`g${g}`, s.latestTimeMs)).toBe(s.count(`g${g}`, s.latestTimeMs));
  });

  it('refuses a counter width field that is not 8, 16 or 32, or that does not match the length', () => {
    const cms = new CountMinSketch({ width: 64, counterBits: 8 }).serialize();
    expect(codeOf(() => CountMinSketch.deserialize(edit(cms, (v) => v.setUint32(32, 12, true))))).toBe('SKETCH_CORRUPT');
    expect(() => CountMinSketch.deserialize(edit(cms, (v) => v.setUint32(32, 16, true)))).toThrow(/header announces/);
    expect(codeOf(() => CountMinSketch.deserialize(edit(cms, (v) => v.setUint32(36, 1, true))))).toBe('SKETCH_CORRUPT');
    const wcm = new WindowedCountMin({ windowMs: W, subWindows: 4, width: 64, counterBits: 16 }).serialize();
    expect(() => WindowedCountMin.deserialize(edit(wcm, (v) => v.setUint32(20, 0, true)))).toThrow(/counter width 0/);
    expect(() => WindowedCountMin.deserialize(edit(wcm, (v) => v.setUint32(20, 8, true)))).toThrow(/header announces/);
    const wd = new WindowedDistinctCounter({ windowMs: W, subWindows: 4, expectedPairsPerSubWindow: 10, groupWidth: 64, counterBits: 8 }).serialize();
    expect(codeOf(() => WindowedDistinctCounter.deserialize(edit(wd, (v) => v.setUint32(20, 64, true))))).toBe('SKETCH_CORRUPT');
    expect(codeOf(() => WindowedDistinctCounter.deserialize(edit(wd, (v) => v.setUint8(4, 4))))).toBe('SKETCH_UNSUPPORTED_VERSION');
  });
});

/**
 * Format version 1 bytes, written by the code before counter widths existed (commit b4871ca):
 *   CountMinSketch({ width: 16, depth: 2, seed: 7 }): add('a', 3), add('b'), add('c', 5)
 *   WindowedCountMin({ windowMs: 1h, subWindows: 4, width: 8, depth: 2, seed: 3 }):
 *     add('a', T0), add('a', T0 + 1,000,000, 2), add('b', T0 + 2,000,000)
 *   WindowedDistinctCounter({ windowMs: 1h, subWindows: 4, expectedPairsPerSubWindow: 10,
 *     falsePositiveRate: 0.01, groupWidth: 8, groupDepth: 2, seed: 5 }): ('g', 's1', T0),
 *     ('g', 's2', T0 + 1000), ('g', 's1', T0 + 1,000,000), ('h', 's1', T0 + 2,000,000)
 */
const V1 = {
  cms: 'U1dDTQEBAAAQAAAAAgAAAAcAAAAAAAAAAAAAAAAAIkAAAAAABQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAADAAAAAAAAAAAAAAAAAAAABQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAwAAAAAAAAAAAAAAAQAAAJM6lkE=',
  wcm: 'U1dXQwEBAAAIAAAAAgAAAAMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEB3S0EAAAAAAAAQQAAAAAAAAAAAAACYn4UQeUIAAAAAyjM9QQAAAADIMz1BAAAAAMkzPUEAAAAAyjM9QQAAAAAAAPh/AAAAAAAA+H8AAAAAAADwPwAAAAAAAABAAAAAAAAA8D8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB7g/R4',
  wd: 'U1dXRAEAAAAIAAAAAgAAAAUAAAAAAAAAAAAAAAAAJEB7FK5H4XqEPwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEB3S0EAAAAAAAAQQAAAAAAAAAAAAACYn4UQeUIAAAAAyjM9QQAAAADIMz1BAAAAAMkzPUEAAAAAyjM9QQAAAAAAAPh/AAAAAAAA+H8AAAAAAADwPwAAAAAAAPA/AAAAAAAA8D8AAAAAAAAAAAAAAAAAAAAAgkEEIAAJggAAAAIUwQAEQAAAAACAAAQgAAEAAAAAAhCAAARAAAAAAAEgAIAAIACAAAACQAAAASAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAiNZjdg==',
};
const bytesOf = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

describe('counter widths: older format versions are refused, not misread', () => {
  // Version 3 hashes keys differently and lays windowed slots side by side (codec.ts): a version
  // 1 or 2 body read as version 3 would answer for other keys. Refusing it lets engines start fresh.
  it.each(['cms', 'wcm', 'wd'] as const)('version 1 bytes (%s): SKETCH_UNSUPPORTED_VERSION', (kind) => {
    const v1 = bytesOf(V1[kind]);
    expect(v1[4]).toBe(1);
    const read = { cms: CountMinSketch.deserialize, wcm: WindowedCountMin.deserialize, wd: WindowedDistinctCounter.deserialize }[kind];
    expect(codeOf(() => read(v1))).toBe('SKETCH_UNSUPPORTED_VERSION');
    expect(() => read(v1)).toThrow(/format version 1, written by an older build; this build reads version 3/);
  });

  it('version 2 frames and version 0 are refused too', () => {
    const cms = new CountMinSketch({ width: 64, counterBits: 8 }).serialize();
    expect(codeOf(() => CountMinSketch.deserialize(edit(cms, (v) => v.setUint8(4, 2))))).toBe('SKETCH_UNSUPPORTED_VERSION');
    expect(codeOf(() => CountMinSketch.deserialize(edit(cms, (v) => v.setUint8(4, 0))))).toBe('SKETCH_CORRUPT');
  });
});
