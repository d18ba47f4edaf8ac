/**
 * Throughput measurement: runs `work` (which processes `items` items) repeatedly for about
 * `seconds`, after a warm-up, and returns the best items/s of `rounds` rounds. Best-of is used
 * because the machine is shared: the fastest round is the one least disturbed.
 */
export function measureRate(work: () => void, items: number, seconds = 1, rounds = 3): number {
  work(); // warm-up: let V8 optimize before timing
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    let done = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < seconds) {
      work();
      done += items;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    }
    best = Math.max(best, done / elapsed);
  }
  return best;
}

/** Runs two workloads alternately so that both see the same machine state; returns [rateA, rateB]. */
export function measurePair(a: () => void, b: () => void, items: number, seconds = 1, rounds = 3): [number, number] {
  let bestA = 0;
  let bestB = 0;
  for (let r = 0; r < rounds; r++) {
    bestA = Math.max(bestA, measureRate(a, items, seconds, 1));
    bestB = Math.max(bestB, measureRate(b, items, seconds, 1));
  }
  return [bestA, bestB];
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
