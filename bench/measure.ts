import type { BenchRow } from './types.js';

/**
 * Throughput measurement for every bench group. The machine is shared and its speed drifts by
 * 20-30% within minutes, so workloads run in alternating rounds (A B C, C B A, A B C, ...) that
 * expose each to the same drift, every figure is the median of at least five rounds with its
 * spread (min..max over the rounds), and a ratio is taken within each round (A_i / B_i) before
 * its median is taken: never a ratio of figures from different rounds.
 */

/** One workload of an alternation. */
export interface Workload {
  /** Untimed, before each timed call of `run` (e.g. a fresh detector). */
  prepare?: () => void;
  /** Processes `items` items; may be async (replay is a chain of async generators). */
  run: () => void | Promise<void>;
  items: number;
}

export interface AlternateOptions {
  /** Timed rounds after the warm-up round; at least 5. */
  rounds?: number;
  /**
   * Seconds (of the bench clock) each workload runs per round, repeating `run` until they have
   * passed. 0: one call of `run` per round (for workloads that are one full pass, such as a whole
   * replay).
   */
  seconds?: number;
}

/** The median of a set of rounds and its spread. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export interface Alternation {
  /** Items/s of workload `i` in each timed round. */
  perRound: number[][];
  /** Items/s of workload `i`: median and min..max over the rounds. */
  rate(i: number): Spread;
  /** Workload `a`'s rate over workload `b`'s, taken within each round. */
  ratio(a: number, b: number): Spread;
  /** Seconds per item (1 / rate) of workload `i`, scaled by `unit` (1e6: us per item), per round. */
  cost(i: number, unit: number): Spread;
}

export const MIN_ROUNDS = 5;

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spreadOf: no values');
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, rounds: sorted.length };
}

/**
 * What a round's time is. `cpu` (the default): CPU seconds of this process, user + system over all
 * its threads (GC helpers and libuv's pool included), so time the process spends waiting for a
 * core that other processes hold does not count; on this shared machine it is far steadier than
 * wall time (measured: replay rounds of 0.79..1.04 CPU s against 1.12..3.39 s of wall time in the
 * same rounds). `wall`: elapsed time, for a quiet machine or where waiting is part of the cost.
 */
export type BenchClock = 'cpu' | 'wall';

let clock: BenchClock = 'cpu';

/** Sets the clock of every later measurement (`npm run bench -- --clock wall`). */
export function useClock(which: BenchClock): void {
  clock = which;
}

export function benchClock(): BenchClock {
  return clock;
}

function seconds(): number {
  if (clock === 'wall') return Number(process.hrtime.bigint()) / 1e9;
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
}

async function timedRound(w: Workload, minSeconds: number): Promise<number> {
  w.prepare?.();
  let done = 0;
  const start = seconds();
  let elapsed = 0;
  do {
    const pending = w.run();
    if (pending !== undefined) await pending;
    done += w.items;
    elapsed = seconds() - start;
  } while (elapsed < minSeconds || elapsed <= 0); // a CPU clock ticks in microseconds
  return done / elapsed;
}

/**
 * Runs `workloads` in alternation: one untimed warm-up round (V8 optimizes, caches fill), then
 * `rounds` timed rounds, each running every workload once, forwards and backwards by turns.
 */
export async function alternate(workloads: readonly Workload[], options: AlternateOptions = {}): Promise<Alternation> {
  const rounds = Math.max(MIN_ROUNDS, options.rounds ?? MIN_ROUNDS);
  const seconds = options.seconds ?? 0;
  const perRound: number[][] = workloads.map(() => []);
  for (let r = -1; r < rounds; r++) {
    for (let k = 0; k < workloads.length; k++) {
      // Every other round in reverse order (A B, B A, A B, ...): no workload always runs first
      // after the previous round's last (and its garbage), and linear drift cancels in pairs.
      const i = r % 2 === 0 ? k : workloads.length - 1 - k;
      const rate = await timedRound(workloads[i]!, r < 0 ? Math.min(seconds, 0.1) : seconds);
      if (r >= 0) perRound[i]!.push(rate);
    }
  }
  return summarize(perRound);
}

/** Medians, spreads and per-round ratios of items/s measured per workload (outer) and round (inner). */
export function summarize(perRound: number[][]): Alternation {
  const at = (i: number): number[] => {
    const values = perRound[i];
    if (values === undefined) throw new Error(`alternate: no workload ${i}`);
    return values;
  };
  return {
    perRound,
    rate: (i) => spreadOf(at(i)),
    ratio: (a, b) => spreadOf(at(a).map((rate, r) => rate / at(b)[r]!)),
    cost: (i, unit) => spreadOf(at(i).map((rate) => unit / rate)),
  };
}

/** A small deterministic PRNG (mulberry32), so generated data is the same every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A bench row for a measured figure: its median as the value, its min..max as the spread. */
export function spreadRow(name: string, s: Spread, unit: string, note?: string): BenchRow {
  return { name, value: s.median, spread: { min: s.min, max: s.max, rounds: s.rounds }, unit, ...(note !== undefined ? { note } : {}) };
}
