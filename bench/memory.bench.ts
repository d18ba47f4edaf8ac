import { alternate, prng, spreadRow } from './measure.js';
import type { BenchRow } from './types.js';

/**
 * What one random read into a table far larger than the L3 cache costs on this machine, the
 * floor under every sketch access of the detectors (tables of 3 to 24 MiB, 57.5 MiB for all
 * rules): reads that wait on each other (a pointer chase through one random cycle, each address
 * is the value just read) against reads whose addresses are known in advance (the CPU overlaps
 * their misses). Both in one 64 MiB Uint32Array, in alternating rounds.
 */
const ENTRIES = 16 * 2 ** 20; // 64 MiB of 4-byte entries
const READS = 1_000_000;

/** A single random cycle through every index (Sattolo's algorithm): chasing it visits them all. */
function randomCycle(): Uint32Array {
  const next = new Uint32Array(ENTRIES);
  for (let i = 0; i < ENTRIES; i++) next[i] = i;
  const rand = prng(7);
  for (let i = ENTRIES - 1; i > 0; i--) {
    const j = Math.floor(rand() * i);
    const t = next[i]!;
    next[i] = next[j]!;
    next[j] = t;
  }
  return next;
}

export async function runMemoryBench(seconds = 0.5): Promise<BenchRow[]> {
  const table = randomCycle();
  const mask = ENTRIES - 1;
  let position = 0;
  let seed = 1;
  let sink = 0;
  const m = await alternate(
    [
      {
        run: () => {
          let p = position;
          for (let i = 0; i < READS; i++) p = table[p]!;
          position = p;
        },
        items: READS,
      },
      {
        run: () => {
          // A linear congruential generator: each address comes from arithmetic, not from a read.
          let x = seed;
          let sum = 0;
          for (let i = 0; i < READS; i++) {
            x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
            sum += table[x & mask]!;
          }
          seed = x;
          sink += sum;
        },
        items: READS,
      },
    ],
    { seconds },
  );
  if (sink < 0 || position < 0) throw new Error('unreachable: keeps the reads alive');
  const note = `64 MiB Uint32Array, ${READS.toLocaleString('en-US')} reads per call`;
  return [
    spreadRow('memory.random_read.dependent', m.cost(0, 1e9), 'ns/read', `${note}; pointer chase through one random cycle`),
    spreadRow('memory.random_read.independent', m.cost(1, 1e9), 'ns/read', `${note}; addresses from an LCG`),
    spreadRow('memory.random_read.dependent_over_independent', m.ratio(1, 0), 'x', 'per-round ratio of the costs'),
  ];
}
