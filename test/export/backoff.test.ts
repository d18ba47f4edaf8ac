import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/export/sender/backoff.js';

const options = { initial_backoff_millis: 1000, max_backoff_millis: 30_000, backoff_multiplier: 2, jitter: 0.2 };

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the maximum', () => {
    const mid = (): number => 0.5; // no jitter at the middle of the range
    expect([1, 2, 3, 4, 5, 6, 7, 50, 10_000].map((a) => backoffDelay(a, options, mid))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('spreads each delay by the jitter fraction, never past the maximum', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(800);
    expect(backoffDelay(1, options, () => 0.999999)).toBe(1200);
    expect(backoffDelay(3, options, () => 0.25)).toBe(3600);
    expect(backoffDelay(9, options, () => 0)).toBe(24_000);
    expect(backoffDelay(9, options, () => 0.999999)).toBe(30_000);
  });

  it('gives exact exponential delays with no jitter', () => {
    expect(backoffDelay(2, { ...options, jitter: 0, backoff_multiplier: 3 }, Math.random)).toBe(3000);
  });
});
