import { describe, expect, it } from 'vitest';
import type { WindowMode } from '../../../detectors/sketch/types.js';
import { WindowedCountMin } from '../../../detectors/sketch/windowed-count-min.js';
import { prng } from './streams.js';

const MIN = 60_000;
const W = 60 * MIN;
const B = 5 * MIN;
const L = 15 * MIN;
/** 2024-07-31T12:00:00Z, a multiple of 5 minutes. */
const T0 = Date.UTC(2024, 6, 31, 12, 0, 0);

function hourly(width = 1024): WindowedCountMin {
  return new WindowedCountMin({ width, depth: 4, seed: 11, windowMs: W, subWindows: 12, allowedLatenessMs: L });
}

/** The exact count of the window (now - W, now], and the bucket-level counts both modes read. */
function truth(times: number[], now: number): { exact: number; covering: number; inside: number } {
  const cFirst = Math.floor((now - W + 1) / B);
  const cLast = Math.floor(now / B);
  const iFirst = Math.ceil((now - W + 1) / B);
  const iLast = Math.floor((now + 1) / B) - 1;
  let exact = 0;
  let covering = 0;
  let inside = 0;
  for (const t of times) {
    const b = Math.floor(t / B);
    if (t > now - W && t <= now) exact++;
    if (b >= cFirst && b <= cLast) covering++;
    if (b >= iFirst && b <= iLast) inside++;
  }
  return { exact, covering, inside };
}

describe('WindowedCountMin layout', () => {
  it('keeps S + ceil(L/B) + 1 sub-windows, preallocated', () => {
    const w = hourly();
    expect(w.clock.slots).toBe(12 + 3 + 1);
    expect(w.clock.bucketMs).toBe(B);
    expect(w.byteLength).toBe(16 * 4 * 1024 * 4);
    for (let i = 0; i < 50_000; i++) w.add(`key-${i}`, T0 + i * 1000);
    expect(w.byteLength).toBe(16 * 4 * 1024 * 4);
  });

  it('validates the window options by name', () => {
    const base = { width: 64, windowMs: W, subWindows: 12 };
    expect(() => new WindowedCountMin({ ...base, subWindows: 7 })).toThrow(/'windowMs' \(3600000\) must be a multiple of 'subWindows' \(7\)/);
    expect(() => new WindowedCountMin({ ...base, allowedLatenessMs: -1 })).toThrow(/option 'allowedLatenessMs'/);
    expect(() => new WindowedCountMin({ ...base, windowMs: 0 })).toThrow(/option 'windowMs'/);
    expect(() => new WindowedCountMin({ ...base, width: 100 })).toThrow(/option 'width'/);
  });
});

describe('WindowedCountMin window edges', () => {
  it('an event at a sub-window start: in both modes until W - 1 ms later, then only covering, then gone', () => {
    const w = hourly();
    expect(w.add('k', T0)).toBe('counted');
    expect(w.estimate('k', T0 - 1)).toBe(0);
    expect(w.estimate('k', T0)).toBe(1);
    expect(w.estimate('k', T0 + W - 1, 'inside')).toBe(1);
    expect(w.estimate('k', T0 + W - 1, 'covering')).toBe(1);
    // (T0, T0 + W] no longer holds T0: exact answer 0.
    expect(w.estimate('k', T0 + W, 'inside')).toBe(0);
    expect(w.estimate('k', T0 + W, 'covering')).toBe(1); // over-count side: its sub-window overlaps
    expect(w.estimate('k', T0 + W + B - 2, 'covering')).toBe(1);
    expect(w.estimate('k', T0 + W + B - 1, 'covering')).toBe(0);
  });

  it('inside mode can miss up to one sub-window of the window; covering never does', () => {
    const w = hourly();
    w.add('k', T0 + 1);
    // Window (T0, T0 + W] holds the event at T0 + 1, but its sub-window starts at T0.
    expect(w.estimate('k', T0 + W, 'inside')).toBe(0);
    expect(w.estimate('k', T0 + W, 'covering')).toBe(1);
  });

  it('inside <= exact <= covering on a random stream, queried as it flows', () => {
    const w = hourly(1 << 14);
    const rand = prng(5);
    const times: number[] = [];
    let checks = 0;
    let nextCheck = T0 + W;
    for (let t = T0; t < T0 + 4 * W; t += Math.floor(rand() * 40_000)) {
      times.push(t);
      w.add('role/x', t);
      if (t < nextCheck) continue;
      nextCheck = t + 7 * MIN;
      // Any query at or after the watermark is complete.
      for (const now of [t, t - 3 * MIN - 17, w.watermarkMs]) {
        const want = truth(times, now);
        const inside = w.estimate('role/x', now, 'inside');
        const covering = w.estimate('role/x', now, 'covering');
        expect(inside).toBe(want.inside);
        expect(covering).toBe(want.covering);
        expect(inside).toBeLessThanOrEqual(want.exact);
        expect(covering).toBeGreaterThanOrEqual(want.exact);
        checks++;
      }
    }
    expect(checks).toBeGreaterThan(60);
  });

  it('fires at the event that crosses "more than 50 in a sliding hour"', () => {
    const w = hourly();
    // 50 reads in the first 50 minutes, one per minute: no alert.
    let firedAt = -1;
    const read = (t: number): void => {
      w.add('role/x', t);
      if (firedAt < 0 && w.estimate('role/x', w.latestTimeMs) > 50) firedAt = t;
    };
    for (let i = 0; i < 50; i++) read(T0 + i * MIN + 30_000);
    expect(firedAt).toBe(-1);
    read(T0 + 55 * MIN); // the 51st read within the hour
    expect(firedAt).toBe(T0 + 55 * MIN);
  });
});

describe('WindowedCountMin lateness', () => {
  it('counts late events within the allowed lateness in the sub-window of their own time', () => {
    const w = hourly();
    expect(w.add('k', T0 + 30 * MIN)).toBe('counted');
    expect(w.add('k', T0 + 16 * MIN)).toBe('counted'); // 14 minutes late
    expect(w.estimate('k', T0 + 14 * MIN)).toBe(0);
    expect(w.estimate('k', T0 + 19 * MIN)).toBe(1);
    expect(w.estimate('k', T0 + 29 * MIN)).toBe(1);
    expect(w.estimate('k', T0 + 30 * MIN)).toBe(2);
    expect(w.lateDropped).toBe(0);
    expect(w.latestTimeMs).toBe(T0 + 30 * MIN);
    expect(w.watermarkMs).toBe(T0 + 15 * MIN);
  });

  it('reports events older than the oldest retained sub-window as late_dropped, never throws', () => {
    const w = hourly();
    w.add('k', T0 + W);
    // Newest sub-window starts at T0 + W; 16 are retained: the oldest starts 15 x 5 min earlier.
    expect(w.clock.oldestRetainedMs).toBe(T0 + W - 15 * B);
    expect(w.add('k', T0 + W - 15 * B)).toBe('counted');
    expect(w.add('k', T0 + W - 15 * B - 1)).toBe('late_dropped');
    expect(w.add('k', 0)).toBe('late_dropped');
    expect(w.lateDropped).toBe(2);
    expect(w.estimate('k', T0 + W)).toBe(1);
    // The accepted old event sits in its own (oldest) sub-window.
    expect(w.estimate('k', T0 + W - 15 * B)).toBe(1);
  });

  it('an event exactly at the watermark is accepted at any alignment', () => {
    for (const offset of [0, 1, B - 1, 123_456]) {
      const w = hourly();
      const newest = T0 + 3 * W + offset;
      w.add('k', newest);
      expect(w.add('k', newest - L)).toBe('counted');
    }
  });

  it('reports non-finite times as invalid_time', () => {
    const w = hourly();
    expect(w.add('k', Number.NaN)).toBe('invalid_time');
    expect(w.add('k', Infinity)).toBe('invalid_time');
    expect(w.invalidTimes).toBe(2);
    expect(w.latestTimeMs).toBe(-Infinity);
    expect(w.estimate('k', T0)).toBe(0);
  });

  it('out-of-order arrival within the lateness gives the same answers as in-order arrival', () => {
    const rand = prng(77);
    const events: { key: string; t: number; arrival: number }[] = [];
    for (let i = 0; i < 6000; i++) {
      const t = T0 + Math.floor(rand() * 3 * W);
      events.push({ key: `k${Math.floor(rand() * 40)}`, t, arrival: t + Math.floor(rand() * L) });
    }
    const inOrder = hourly(1 << 14);
    const shuffled = hourly(1 << 14);
    for (const e of [...events].sort((a, b) => a.t - b.t)) inOrder.add(e.key, e.t);
    const statuses = new Set<string>();
    for (const e of [...events].sort((a, b) => a.arrival - b.arrival)) statuses.add(shuffled.add(e.key, e.t));
    expect([...statuses]).toEqual(['counted']);
    const now = inOrder.latestTimeMs;
    expect(shuffled.latestTimeMs).toBe(now);
    for (let k = 0; k < 40; k++) {
      for (const mode of ['covering', 'inside'] as WindowMode[]) {
        for (const at of [now, now - 10 * MIN, shuffled.watermarkMs]) {
          const times = events.filter((e) => e.key === `k${k}`).map((e) => e.t);
          const want = truth(times, at)[mode];
          expect(shuffled.estimate(`k${k}`, at, mode)).toBe(want);
          expect(inOrder.estimate(`k${k}`, at, mode)).toBe(want);
        }
      }
    }
  });

  it('recycles sub-windows as event time advances, even by a large jump', () => {
    const w = hourly();
    w.add('old', T0, 5);
    w.add('new', T0 + 10 * W);
    expect(w.estimate('old', T0)).toBe(0);
    expect(w.estimate('old', T0 + 10 * W)).toBe(0);
    expect(w.estimate('new', T0 + 10 * W)).toBe(1);
    expect(w.windowTotal(T0 + 10 * W)).toBe(1);
    expect(w.add('old', T0)).toBe('late_dropped');
  });
});

describe('WindowedCountMin error and saturation', () => {
  it('errorBound scales epsilon with the events of the window read', () => {
    const w = hourly(4096);
    for (let i = 0; i < 1000; i++) w.add(`k${i % 10}`, T0 + i * 1000);
    const bound = w.errorBound(T0 + 999_000);
    expect(bound.epsilon).toBeCloseTo(Math.E / 4096, 15);
    expect(bound.delta).toBeCloseTo(Math.exp(-4), 15);
    expect(bound.maxOvercount).toBeCloseTo((Math.E / 4096) * 1000, 9);
    w.add('k0', T0 + 2 * W);
    expect(w.errorBound(T0 + 2 * W).maxOvercount).toBeCloseTo(Math.E / 4096, 15);
  });

  it('saturates rather than wraps', () => {
    const w = new WindowedCountMin({ width: 2, depth: 1, windowMs: W, subWindows: 12 });
    w.add('k', T0, 0xffffffff);
    w.add('k', T0, 1);
    expect(w.saturated).toBe(true);
    expect(w.estimate('k', T0)).toBe(0xffffffff);
  });
});
