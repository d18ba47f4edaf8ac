import { describe, expect, it } from 'vitest';
import { windowedBloomShape } from '../../../detectors/sketch/windowed-bloom.js';
import { WindowedDistinctCounter } from '../../../detectors/sketch/windowed-distinct.js';
import { prng } from './streams.js';

const MIN = 60_000;
const W = 60 * MIN;
const B = 5 * MIN;
const L = 15 * MIN;
const T0 = Date.UTC(2024, 6, 31, 10, 0, 0);

function counter(expectedPairsPerSubWindow = 10_000, falsePositiveRate = 0.001, groupWidth = 1 << 14): WindowedDistinctCounter {
  return new WindowedDistinctCounter({
    windowMs: W,
    subWindows: 12,
    allowedLatenessMs: L,
    expectedPairsPerSubWindow,
    falsePositiveRate,
    groupWidth,
    seed: 21,
  });
}

/** Distinct items per group with an occurrence in the sub-windows a covering query at `now` reads. */
function truth(events: { g: string; item: string; t: number }[], now: number): Map<string, number> {
  const first = Math.floor((now - W + 1) / B);
  const last = Math.floor(now / B);
  const sets = new Map<string, Set<string>>();
  for (const e of events) {
    const b = Math.floor(e.t / B);
    if (b < first || b > last) continue;
    let s = sets.get(e.g);
    if (s === undefined) sets.set(e.g, (s = new Set()));
    s.add(e.item);
  }
  return new Map([...sets].map(([g, s]) => [g, s.size]));
}

describe('WindowedDistinctCounter', () => {
  it('counts distinct items per group, not reads', () => {
    const c = counter();
    expect(c.add('role/app', 'secret-a', T0)).toBe('new');
    expect(c.add('role/app', 'secret-a', T0 + MIN)).toBe('seen');
    expect(c.add('role/app', 'secret-b', T0 + 2 * MIN)).toBe('new');
    expect(c.add('role/other', 'secret-a', T0 + 3 * MIN)).toBe('new');
    expect(c.count('role/app', T0 + 3 * MIN)).toBe(2);
    expect(c.count('role/other', T0 + 3 * MIN)).toBe(1);
    expect(c.count('role/nobody', T0 + 3 * MIN)).toBe(0);
  });

  it('keeps an item read again inside the window when its first read expires', () => {
    const c = counter();
    c.add('role/app', 'secret-a', T0); // 10:00
    c.add('role/app', 'secret-a', T0 + 50 * MIN); // 10:50, same secret
    c.add('role/app', 'secret-b', T0 + 70 * MIN); // 11:10
    // Window (10:10, 11:10] holds secret-a (10:50) and secret-b.
    expect(c.count('role/app', T0 + 70 * MIN)).toBe(2);
    // Window (10:55, 11:55]: only secret-b.
    c.add('role/x', 'y', T0 + 115 * MIN);
    expect(c.count('role/app', T0 + 115 * MIN)).toBe(1);
  });

  it('a late read of a pair already counted later does not count twice', () => {
    const c = counter();
    expect(c.add('g', 'i', T0 + 30 * MIN)).toBe('new');
    expect(c.add('g', 'i', T0 + 20 * MIN)).toBe('seen');
    expect(c.count('g', T0 + 30 * MIN)).toBe(1);
    expect(c.add('g', 'i', T0 - W)).toBe('late_dropped');
    expect(c.add('g', 'i', Number.NaN)).toBe('invalid_time');
    expect([c.lateDropped, c.invalidTimes]).toEqual([1, 1]);
  });

  it('separates (group, item) pairs that concatenate to the same text', () => {
    const c = counter();
    c.add('ab', 'c', T0);
    expect(c.add('a', 'bc', T0)).toBe('new');
  });

  it('is exact on out-of-order streams within the lateness, queried at the newest time', () => {
    const c = counter(20_000, 1e-6);
    const rand = prng(8);
    const raw: { g: string; item: string; t: number; arrival: number }[] = [];
    for (let i = 0; i < 20_000; i++) {
      const t = T0 + Math.floor(rand() * 3 * W);
      raw.push({ g: `role/${Math.floor(rand() * 30)}`, item: `s${Math.floor(rand() * 200)}`, t, arrival: t + Math.floor(rand() * L) });
    }
    raw.sort((a, b) => a.arrival - b.arrival);
    const seen: typeof raw = [];
    let checks = 0;
    for (let i = 0; i < raw.length; i++) {
      const e = raw[i]!;
      expect(c.add(e.g, e.item, e.t)).not.toBe('late_dropped');
      seen.push(e);
      if (i % 1500 !== 1499) continue;
      const now = c.latestTimeMs;
      const want = truth(seen, now);
      for (let g = 0; g < 30; g++) expect(c.count(`role/${g}`, now)).toBe(want.get(`role/${g}`) ?? 0);
      checks++;
    }
    expect(checks).toBe(13);
  });

  it('under-counts only through Bloom false positives, within the stated rate', () => {
    // Every sub-window at capacity with new pairs; 100 groups; group counters wide enough that
    // collisions between groups play no part: any shortfall comes from the pair filters.
    const perSubWindow = 5000;
    const rate = 0.01;
    const c = counter(perSubWindow, rate, 1 << 16);
    let missedNew = 0;
    let id = 0;
    const events: { g: string; item: string; t: number }[] = [];
    for (let b = 0; b < 13; b++) {
      for (let i = 0; i < perSubWindow; i++) {
        const e = { g: `role/${id % 100}`, item: `secret-${id}`, t: T0 + b * B + Math.floor((i * B) / perSubWindow) };
        id++;
        if (c.add(e.g, e.item, e.t) === 'seen') missedNew++;
        events.push(e);
      }
    }
    const now = c.latestTimeMs;
    const want = truth(events, now);
    let under = 0;
    let total = 0;
    for (let g = 0; g < 100; g++) {
      const t = want.get(`role/${g}`)!;
      total += t;
      under += Math.max(0, t - c.count(`role/${g}`, now));
    }
    expect(total).toBe(13 * perSubWindow);
    const error = c.estimatedError(now);
    // Each false positive hides at most one item; the rate stays below the design while the
    // sub-windows hold their capacity, and the design is the configured rate.
    expect(under).toBeLessThanOrEqual(missedNew);
    expect(missedNew).toBeGreaterThan(0);
    expect(under / total).toBeLessThan(rate);
    expect(error.designFalsePositiveRate).toBeCloseTo(rate, 3);
    expect(error.falsePositiveRate).toBeGreaterThan(rate * 0.8);
    expect(error.falsePositiveRate).toBeLessThan(rate * 1.2);
    expect(error.epsilon).toBeCloseTo(Math.E / 65536, 15);
    expect(error.maxOvercount).toBeCloseTo((Math.E / 65536) * (total - under), 6);
  });

  it('reports saturation and fixed memory', () => {
    const c = counter(1000, 0.01, 1024);
    const { bits } = windowedBloomShape({ windowMs: W, subWindows: 12 }, 1000, 0.01, 'expectedPairsPerSubWindow');
    expect(c.byteLength).toBe(16 * 1024 * 4 * 4 + Math.ceil((16 * bits) / 32) * 4);
    for (let i = 0; i < 900; i++) c.add('g', `i${i}`, T0);
    expect(c.saturated).toBe(false);
    for (let i = 900; i < 1500; i++) c.add('g', `i${i}`, T0);
    expect(c.saturated).toBe(true);
    expect(c.saturatedSubWindows).toBe(1);
  });

  it('names the group options in validation errors', () => {
    expect(() => counter(1000, 0.01, 1000)).toThrow(/option 'groupWidth' must be a power of two/);
  });
});
