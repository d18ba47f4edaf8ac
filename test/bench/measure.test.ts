import { describe, expect, it } from 'vitest';
import { alternate, spreadOf, summarize } from '../../bench/measure.js';

/** Keeps the CPU busy for `ms`, so that every clock sees the call take time. */
function spin(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(ms * 1e6);
  while (process.hrtime.bigint() < end);
}

describe('bench measure', () => {
  it('runs the workloads in alternation, forwards and backwards by turns: a warm-up round, then at least five timed rounds', async () => {
    const calls: string[] = [];
    const prepared: string[] = [];
    const m = await alternate(
      [
        { prepare: () => prepared.push('A'), run: () => void (spin(2), calls.push('A')), items: 1 },
        { run: async () => void (spin(2), calls.push('B')), items: 1 },
      ],
      { rounds: 3 },
    );
    expect(calls).toEqual(['B', 'A', 'A', 'B', 'B', 'A', 'A', 'B', 'B', 'A', 'A', 'B']);
    expect(prepared).toHaveLength(6);
    expect(m.perRound.map((rounds) => rounds.length)).toEqual([5, 5]);
  });

  it('takes the median and min..max of the rounds', () => {
    expect(spreadOf([5, 1, 4, 2, 3])).toEqual({ median: 3, min: 1, max: 5, rounds: 5 });
    expect(spreadOf([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, rounds: 4 });
  });

  it('divides within each round, not the figures of different rounds', () => {
    // The machine slows down in rounds 2 and 4 for both workloads alike.
    const m = summarize([
      [300, 100, 300, 100, 300],
      [100, 50, 100, 50, 100],
    ]);
    expect(m.ratio(0, 1)).toEqual({ median: 3, min: 2, max: 3, rounds: 5 });
    // Costs: 1e6 / rate us per item.
    expect(m.cost(1, 1e6)).toEqual({ median: 10_000, min: 10_000, max: 20_000, rounds: 5 });
  });
});
