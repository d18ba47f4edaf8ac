import { describe, expect, it } from 'vitest';
import { subFilterRate, WindowedBloom } from '../../../detectors/sketch/windowed-bloom.js';
import { keyName } from './streams.js';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 6, 1); // midnight UTC: a sub-window start

function history(expectedItemsPerSubWindow = 1000, falsePositiveRate = 0.001): WindowedBloom {
  return new WindowedBloom({
    windowMs: 30 * DAY,
    subWindows: 30,
    allowedLatenessMs: 15 * MIN,
    expectedItemsPerSubWindow,
    falsePositiveRate,
    seed: 99,
  });
}

describe('WindowedBloom sizing', () => {
  it('splits the window false-positive rate over the S + 1 sub-filters a query reads', () => {
    expect(subFilterRate(0.01, 1)).toBeCloseTo(0.01, 15);
    expect(1 - (1 - subFilterRate(0.01, 31)) ** 31).toBeCloseTo(0.01, 12);
    const h = history(1000, 0.01);
    expect(h.clock.slots).toBe(30 + 1 + 1);
    expect(h.designFalsePositiveRate()).toBeCloseTo(0.01, 3);
    // The 32 slots of each position side by side: one 32-bit word per position.
    expect(h.byteLength).toBe(Math.ceil((32 * h.bits) / 32) * 4);
  });

  it('validates options by name', () => {
    const base = { windowMs: DAY, subWindows: 24 };
    expect(() => new WindowedBloom({ ...base, expectedItemsPerSubWindow: 0 })).toThrow(/option 'expectedItemsPerSubWindow'/);
    expect(() => new WindowedBloom({ ...base, expectedItemsPerSubWindow: 10, falsePositiveRate: 2 })).toThrow(
      /option 'falsePositiveRate'/,
    );
  });
});

describe('WindowedBloom membership over event time', () => {
  it('reports new, then seen, within the history', () => {
    const h = history();
    expect(h.add('acct|alice', T0 + 3 * DAY)).toBe('new');
    expect(h.add('acct|alice', T0 + 10 * DAY)).toBe('seen');
    expect(h.add('acct|bob', T0 + 10 * DAY)).toBe('new');
    expect(h.has('acct|alice', T0 + 10 * DAY)).toBe(true);
    expect(h.has('acct|carol', T0 + 10 * DAY)).toBe(false);
  });

  it('expires at the window edge: exact in inside mode, one sub-window later in covering mode', () => {
    const h = history();
    h.add('k', T0);
    expect(h.has('k', T0 - 1)).toBe(false);
    expect(h.has('k', T0 + 30 * DAY - 1, 'inside')).toBe(true);
    expect(h.has('k', T0 + 30 * DAY, 'inside')).toBe(false);
    expect(h.has('k', T0 + 30 * DAY, 'covering')).toBe(true);
    expect(h.has('k', T0 + 31 * DAY - 1, 'covering')).toBe(false);
    // A new event 30 days later: the old one no longer counts as history.
    expect(h.add('k', T0 + 31 * DAY)).toBe('new');
  });

  it('a late event of a key already seen after it is not new again', () => {
    const h = history();
    expect(h.add('k', T0 + 5 * DAY)).toBe('new');
    expect(h.add('k', T0 + 5 * DAY - 10 * MIN)).toBe('seen');
    expect(h.has('k', T0 + 5 * DAY - 1)).toBe(true); // recorded in its own (previous) day
  });

  it('accepts late events while their sub-filter is retained, and reports older ones', () => {
    const h = history();
    h.add('x', T0 + 40 * DAY + 12 * 3_600_000);
    expect(h.add('late-ok', T0 + 40 * DAY - 10 * MIN)).toBe('new');
    expect(h.clock.oldestRetainedMs).toBe(T0 + 40 * DAY - 31 * DAY);
    expect(h.add('too-late', T0 + 9 * DAY - 1)).toBe('late_dropped');
    expect(h.add('nan', Number.NaN)).toBe('invalid_time');
    expect([h.lateDropped, h.invalidTimes]).toEqual([1, 1]);
    expect(h.has('too-late', T0 + 40 * DAY)).toBe(false);
  });
});

describe('WindowedBloom false positives and saturation', () => {
  it('a window query at capacity has about the configured false-positive rate', () => {
    const perDay = 2000;
    const h = history(perDay, 0.01);
    let id = 0;
    for (let d = 0; d < 31; d++) for (let i = 0; i < perDay; i++) h.add(keyName(id++), T0 + d * DAY + i * 1000);
    const now = h.latestTimeMs;
    let fp = 0;
    const probes = 100_000;
    for (let i = 0; i < probes; i++) if (h.has(keyName(50_000_000 + i), now)) fp++;
    const observed = fp / probes;
    // sd at 1% over 100k probes is 0.0003; the window reads 31 sub-filters of 2000 keys each.
    expect(observed).toBeGreaterThan(0.008);
    expect(observed).toBeLessThan(0.012);
    expect(Math.abs(h.estimatedFalsePositiveRate(now) - observed) / observed).toBeLessThan(0.15);
  });

  it('flags a sub-window that receives more keys than its capacity', () => {
    const h = history(1000, 0.01);
    for (let i = 0; i < 900; i++) h.add(keyName(i), T0 + i);
    expect(h.saturated).toBe(false);
    for (let i = 900; i < 1300; i++) h.add(keyName(i), T0 + i);
    expect(h.saturated).toBe(true);
    expect(h.saturatedSubWindows).toBe(1);
    // Once that day leaves the ring, the flag clears; the counter stays.
    h.add('later', T0 + 40 * DAY);
    expect(h.saturated).toBe(false);
    expect(h.saturatedSubWindows).toBe(1);
  });
});
