import bloomFilters from 'bloom-filters';
import { BloomFilter } from '../detectors/sketch/bloom-filter.js';
import { CountMinSketch } from '../detectors/sketch/count-min.js';
import { WindowedBloom } from '../detectors/sketch/windowed-bloom.js';
import { WindowedCountMin } from '../detectors/sketch/windowed-count-min.js';
import { WindowedDistinctCounter } from '../detectors/sketch/windowed-distinct.js';
import { alternate, spreadRow } from './measure.js';
import type { BenchRow } from './types.js';

/**
 * Micro-benchmarks of the sketches the detectors are built on (detectors/sketch/), each next to
 * the `bloom-filters` package with the same dimensions where it has the structure. One operation
 * is what a detector does per event: update a key, then read its estimate. Keys look like the
 * detectors' (principal ARN | source IP), about 50 bytes. Each table's workloads alternate
 * in rounds (bench/measure.ts), ~0.2 s per workload per round.
 */

// bloom-filters is CommonJS and its named exports are getters Node's ESM loader does not detect.
const { BloomFilter: BfBloomFilter, CountMinSketch: BfCountMinSketch } = bloomFilters;

const KEY_COUNT = 100_000;
const T0 = Date.UTC(2026, 0, 5);
const MIB = 2 ** 20;

function keys(): string[] {
  const out: string[] = [];
  for (let i = 0; i < KEY_COUNT; i++) {
    out.push(`arn:aws:iam::${123456789000 + (i % 50)}:role/app-${i}|10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`);
  }
  return out;
}

/** A work function over the next `batch` keys (a cursor, so batches do not repeat the same keys). */
function overKeys(names: string[], batch: number, op: (key: string, i: number) => void): () => void {
  let cursor = 0;
  return () => {
    for (let j = 0; j < batch; j++) {
      op(names[cursor]!, cursor);
      cursor = cursor + 1 === names.length ? 0 : cursor + 1;
    }
  };
}

/** Each sketch workload runs ~0.2 s per round; rounds alternate the workloads of one table size. */
const SECONDS = 0.2;

async function countMinRows(names: string[], log2Width: number): Promise<BenchRow[]> {
  const width = 2 ** log2Width;
  const ours = new CountMinSketch({ width, depth: 4, seed: 1 });
  // bloom-filters' create(eps, accuracy) builds one row unless delta is given: use the constructor
  // with the same columns and rows instead.
  const theirs = new BfCountMinSketch(width, 4);
  let sink = 0;
  const m = await alternate(
    [
      {
        run: overKeys(names, 20_000, (k) => {
          ours.add(k);
          sink += ours.estimate(k);
        }),
        items: 20_000,
      },
      { run: overKeys(names, 20_000, (k) => (sink += ours.add(k))), items: 20_000 },
      {
        run: overKeys(names, 500, (k) => {
          theirs.update(k);
          sink += theirs.count(k);
        }),
        items: 500,
      },
    ],
    { seconds: SECONDS },
  );
  if (sink < 0) throw new Error('unreachable: keeps the estimates alive');
  const dims = `2^${log2Width} x 4`;
  const ratio = m.ratio(0, 2);
  return [
    spreadRow(`sketch.count_min.add_estimate.${dims}`, m.rate(0), 'ops/s', `${ours.byteLength / MIB} MiB, conservative`),
    spreadRow(`sketch.count_min.add_returning_estimate.${dims}`, m.rate(1), 'ops/s', 'add() alone returns the new estimate'),
    spreadRow(`sketch.bloom_filters_pkg.count_min.update_count.${dims}`, m.rate(2), 'ops/s', `bloom-filters CountMinSketch(${width}, 4)`),
    spreadRow(`sketch.count_min.vs_bloom_filters_pkg.${dims}`, ratio, 'x theirs', 'add_estimate over update_count, per-round ratio'),
  ];
}

async function bloomRows(names: string[]): Promise<BenchRow[]> {
  const ours = BloomFilter.forCapacity(1_000_000, 0.01, 1);
  const theirs = BfBloomFilter.create(1_000_000, 0.01);
  let sink = 0;
  const absent = names.map((k) => `${k}#absent`);
  const m = await alternate(
    [
      { run: overKeys(names, 20_000, (k) => (sink += ours.add(k) ? 1 : 0)), items: 20_000 },
      { run: overKeys(names, 2_000, (k) => theirs.add(k)), items: 2_000 },
      { run: overKeys(absent, 20_000, (k) => (sink += ours.has(k) ? 1 : 0)), items: 20_000 },
      { run: overKeys(absent, 2_000, (k) => (sink += theirs.has(k) ? 1 : 0)), items: 2_000 },
    ],
    { seconds: SECONDS },
  );
  if (sink < 0) throw new Error('unreachable');
  return [
    spreadRow('sketch.bloom.add', m.rate(0), 'ops/s', `1M keys at 1%: ${(ours.byteLength / MIB).toFixed(2)} MiB, ${ours.hashes} probes`),
    spreadRow('sketch.bloom.has_absent', m.rate(2), 'ops/s', 'keys never added (the common case for "seen before?")'),
    spreadRow('sketch.bloom_filters_pkg.bloom.add', m.rate(1), 'ops/s', 'bloom-filters BloomFilter.create(1e6, 0.01)'),
    spreadRow('sketch.bloom_filters_pkg.bloom.has_absent', m.rate(3), 'ops/s'),
    spreadRow('sketch.bloom.add.vs_bloom_filters_pkg', m.ratio(0, 1), 'x theirs', 'per-round ratio'),
    spreadRow('sketch.bloom.has_absent.vs_bloom_filters_pkg', m.ratio(2, 3), 'x theirs', 'per-round ratio'),
  ];
}

async function windowedRows(names: string[]): Promise<BenchRow[]> {
  const window = { windowMs: 3_600_000, subWindows: 12, allowedLatenessMs: 900_000 };
  // Event time advances 5 ms per event (200 events/s): sub-windows rotate during the run.
  const counts = new WindowedCountMin({ ...window, width: 2 ** 16, depth: 4, seed: 1 });
  let sink = 0;
  let countTick = 0;
  // 1,000 principals reading from 100,000 secrets.
  const principals = names.map((_k, i) => `arn:aws:iam::123456789012:role/app-${i % 1000}`);
  const secrets = names.map((_k, i) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app-${i}/db-AbC123`);
  const distinct = new WindowedDistinctCounter({ ...window, expectedPairsPerSubWindow: 100_000, groupWidth: 2 ** 14, seed: 1 });
  let distinctTick = 0;
  const history = new WindowedBloom({ windowMs: 30 * 86_400_000, subWindows: 30, allowedLatenessMs: 900_000, expectedItemsPerSubWindow: 200_000, seed: 1 });
  let day = 0;
  const m = await alternate(
    [
      {
        run: overKeys(names, 20_000, (k) => {
          const t = T0 + countTick++ * 5;
          counts.add(k, t);
          sink += counts.estimate(k, counts.latestTimeMs);
        }),
        items: 20_000,
      },
      {
        run: overKeys(names, 20_000, (_k, i) => {
          const t = T0 + distinctTick++ * 5;
          distinct.add(principals[i]!, secrets[(i * 7919) % KEY_COUNT]!, t);
          sink += distinct.count(principals[i]!, distinct.latestTimeMs);
        }),
        items: 20_000,
      },
      {
        run: overKeys(names, 20_000, (k) => {
          // 20,000 events per simulated hour: the 30 daily sub-filters fill up during the run.
          const t = T0 + Math.floor(day++ / 20_000) * 3_600_000;
          sink += history.add(k, t) === 'new' ? 1 : 0;
        }),
        items: 20_000,
      },
    ],
    { seconds: SECONDS },
  );
  if (sink < 0) throw new Error('unreachable');
  return [
    spreadRow('sketch.windowed_count_min.add_estimate', m.rate(0), 'ops/s', `1 h / 12 sub-windows, 15 min lateness, 2^16 x 4: ${(counts.byteLength / MIB).toFixed(0)} MiB`),
    spreadRow('sketch.windowed_distinct.add_count', m.rate(1), 'ops/s', `1 h / 12, 100k pairs per sub-window at 0.1%: ${(distinct.byteLength / MIB).toFixed(1)} MiB`),
    spreadRow('sketch.windowed_bloom.add', m.rate(2), 'ops/s', `30 d / 30 daily sub-filters, 200k keys each at 0.1%: ${(history.byteLength / MIB).toFixed(1)} MiB`),
  ];
}

export async function runSketchBench(): Promise<BenchRow[]> {
  const names = keys();
  return [...(await countMinRows(names, 16)), ...(await countMinRows(names, 20)), ...(await bloomRows(names)), ...(await windowedRows(names))];
}
