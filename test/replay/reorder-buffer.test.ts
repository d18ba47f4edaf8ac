import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/measure.js';
import { ReorderBuffer } from '../../src/replay/reorder-buffer.js';

/**
 * The reorder buffer as plainly as possible (one list, the minimum found by scanning), with the
 * semantics of the heap-only buffer the run fast path replaced: release while the oldest is at
 * or past the horizon, else one early release when over capacity; ties by arrival.
 */
class ReferenceBuffer {
  private readonly held: { time: number; seq: number; value: number }[] = [];
  private seq = 0;
  private maxSeen = Number.NEGATIVE_INFINITY;
  forcedReleases = 0;

  constructor(
    private readonly horizonMs: number,
    private readonly capacity: number,
  ) {}

  push(time: number, value: number, out: number[]): void {
    this.held.push({ time, seq: this.seq++, value });
    this.maxSeen = Math.max(this.maxSeen, time);
    for (;;) {
      const i = this.oldest();
      if (i === -1) return;
      const item = this.held[i]!;
      if (item.time <= this.maxSeen - this.horizonMs) {
        out.push(this.held.splice(i, 1)[0]!.value);
      } else if (this.held.length > this.capacity) {
        this.forcedReleases++;
        out.push(this.held.splice(i, 1)[0]!.value);
      } else return;
    }
  }

  drain(out: number[]): void {
    for (let i = this.oldest(); i !== -1; i = this.oldest()) out.push(this.held.splice(i, 1)[0]!.value);
  }

  get size(): number {
    return this.held.length;
  }

  private oldest(): number {
    let best = -1;
    for (let i = 0; i < this.held.length; i++) {
      const a = this.held[i]!;
      const b = this.held[best];
      if (b === undefined || a.time < b.time || (a.time === b.time && a.seq < b.seq)) best = i;
    }
    return best;
  }
}


type Pattern = 'in-order' | 'jitter' | 'random' | 'descending' | 'late-bursts';

function times(pattern: Pattern, n: number, rand: () => number): number[] {
  const out: number[] = [];
  let t = 1000;
  for (let i = 0; i < n; i++) {
    switch (pattern) {
      case 'in-order':
        t += Math.floor(rand() * 3); // steps of 0 make ties
        out.push(t);
        break;
      case 'jitter':
        t += Math.floor(rand() * 4);
        out.push(t - Math.floor(rand() * 12));
        break;
      case 'random':
        out.push(Math.floor(rand() * 50));
        break;
      case 'descending':
        t -= Math.floor(rand() * 3);
        out.push(t);
        break;
      case 'late-bursts':
        t += 1;
        out.push(rand() < 0.1 ? t - Math.floor(rand() * 40) : t);
        break;
    }
  }
  return out;
}

/**
 * Feeds both buffers the same events; checks what each push released (and the sizes after it),
 * the counters and the drain. Compared once at the end: an expect per push costs more than the rest.
 */
function compare(horizon: number, capacity: number, input: readonly number[]): { released: number[]; forced: number } {
  const buffer = new ReorderBuffer<number>(horizon, capacity);
  const reference = new ReferenceBuffer(horizon, capacity);
  const got: number[][] = [];
  const want: number[][] = [];
  input.forEach((time, value) => {
    const g: number[] = [];
    const w: number[] = [];
    buffer.push(time, value, g);
    reference.push(time, value, w);
    g.push(-1 - buffer.size); // sizes as negative numbers, apart from event numbers
    w.push(-1 - reference.size);
    got.push(g);
    want.push(w);
  });
  const drained: number[] = [];
  const drainedRef: number[] = [];
  buffer.drain(drained);
  reference.drain(drainedRef);
  got.push(drained);
  want.push(drainedRef);
  expect(got).toEqual(want);
  expect(buffer.size).toBe(0);
  expect(buffer.forcedReleases).toBe(reference.forcedReleases);
  return { released: got.flat().filter((n) => n >= 0), forced: buffer.forcedReleases };
}

describe('ReorderBuffer', () => {
  it('releases by time once past the horizon, ties in arrival order', () => {
    const buffer = new ReorderBuffer<string>(10, 100);
    const out: string[] = [];
    buffer.push(100, 'a', out);
    buffer.push(105, 'b', out);
    buffer.push(100, 'c', out); // late: goes before b, after a (tie with a, arrived later)
    expect(out).toEqual([]);
    buffer.push(110, 'd', out); // releases everything at or before 100
    expect(out).toEqual(['a', 'c']);
    buffer.push(103, 'e', out); // late, still within the horizon of 110
    buffer.push(120, 'f', out);
    expect(out).toEqual(['a', 'c', 'e', 'b', 'd']);
    buffer.drain(out);
    expect(out).toEqual(['a', 'c', 'e', 'b', 'd', 'f']);
    expect(buffer.forcedReleases).toBe(0);
  });

  it('releases the oldest early when over capacity, and counts it', () => {
    const buffer = new ReorderBuffer<string>(1000, 2);
    const out: string[] = [];
    buffer.push(5, 'a', out);
    buffer.push(3, 'b', out);
    buffer.push(4, 'c', out);
    expect(out).toEqual(['b']);
    buffer.push(1, 'd', out);
    expect(out).toEqual(['b', 'd']);
    expect(buffer.forcedReleases).toBe(2);
    expect(buffer.size).toBe(2);
    buffer.drain(out);
    expect(out).toEqual(['b', 'd', 'c', 'a']);
  });

  it('passes in-order input through in order once past the horizon', () => {
    const input = Array.from({ length: 6_000 }, (_, i) => Math.floor(i / 3));
    const { released, forced } = compare(50, 1_000_000, input);
    expect(released).toEqual(input.map((_, i) => i));
    expect(forced).toBe(0);
  });

  const patterns: Pattern[] = ['in-order', 'jitter', 'random', 'descending', 'late-bursts'];
  const settings: [horizon: number, capacity: number][] = [
    [0, 1_000_000],
    [5, 1_000_000],
    [30, 1_000_000],
    [30, 1],
    [30, 7],
    [1_000_000, 50],
    [Number.POSITIVE_INFINITY, 10],
  ];
  for (const pattern of patterns) {
    for (const [horizon, capacity] of settings) {
      it(`matches the reference on ${pattern} input, horizon ${horizon}, capacity ${capacity}`, () => {
        const rand = prng(horizon * 31 + capacity + pattern.length);
        for (let round = 0; round < 5; round++) {
          const input = times(pattern, 400 + Math.floor(rand() * 800), rand);
          const { released } = compare(horizon, capacity, input);
          expect([...released].sort((a, b) => a - b)).toEqual(input.map((_, i) => i));
        }
      });
    }
  }

  it('keeps its order across the compaction of a long in-order run', () => {
    // The run drops its released prefix every ~4096 releases: 30k events cross it 7 times.
    const rand = prng(7);
    const input = times('late-bursts', 30_000, rand);
    const { released } = compare(100, 1_000_000, input);
    expect([...released].sort((a, b) => a - b)).toEqual(input.map((_, i) => i));
  });
});
