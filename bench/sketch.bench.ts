import bloomFilters from 'bloom-filters';
import { BloomFilter } from '../detectors/sketch/bloom-filter.js';
import { CountMinSketch } from '../detectors/sketch/count-min.js';
import { WindowedBloom } from '../detectors/sketch/windowed-bloom.js';
import { WindowedCountMin } from '../detectors/sketch/windowed-count-min.js';
import { WindowedDistinctCounter } from '../detectors/sketch/windowed-distinct.js';
import { measureRate } from './measure.js';
import type { BenchRow } from './types.js';

/**
 * Micro-benchmarks of the sketches the detectors are built on (detectors/sketch/), each next to
 * the `bloom-filters` package with the same dimensions where it has the structure. One operation
 * is what a detector does per event: update a key, then read its estimate. Keys look like the
 * detectors' (principal ARN | source IP), about 50 bytes. Each measurement takes about 1 s.
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

/** Ours and theirs in alternation, best of two rounds each, ~0.25 s per timed round. */
function versus(ours: () => void, oursBatch: number, theirs: () => void, theirsBatch: number): [number, number] {
  let a = 0;
  let b = 0;
  for (let r = 0; r < 2; r++) {
    a = Math.max(a, measureRate(ours, oursBatch, 0.25, 1));
    b = Math.max(b, measureRate(theirs, theirsBatch, 0.25, 1));
  }
  return [a, b];
}

function countMinRows(names: string[], log2Width: number): BenchRow[] {
  const width = 2 ** log2Width;
  const ours = new CountMinSketch({ width, depth: 4, seed: 1 });
  // bloom-filters' create(eps, accuracy) builds one row unless delta is given: use the constructor
  // with the same columns and rows instead.
  const theirs = new BfCountMinSketch(width, 4);
  let sink = 0;
  const [ourRate, theirRate] = versus(
    overKeys(names, 20_000, (k) => {
      ours.add(k);
      sink += ours.estimate(k);
    }),
    20_000,
    overKeys(names, 500, (k) => {
      theirs.update(k);
      sink += theirs.count(k);
    }),
    500,
  );
  const addOnly = measureRate(overKeys(names, 20_000, (k) => (sink += ours.add(k))), 20_000, 0.25, 2);
  if (sink < 0) throw new Error('unreachable: keeps the estimates alive');
  const dims = `2^${log2Width} x 4`;
  return [
    { name: `sketch.count_min.add_estimate.${dims}`, value: ourRate, unit: 'ops/s', note: `${ours.byteLength / MIB} MiB, conservative` },
    { name: `sketch.count_min.add_returning_estimate.${dims}`, value: addOnly, unit: 'ops/s', note: 'add() alone returns the new estimate' },
    {
      name: `sketch.bloom_filters_pkg.count_min.update_count.${dims}`,
      value: theirRate,
      unit: 'ops/s',
      note: `bloom-filters CountMinSketch(${width}, 4); ours ${(ourRate / theirRate).toFixed(0)}x`,
    },
  ];
}

function bloomRows(names: string[]): BenchRow[] {
  const ours = BloomFilter.forCapacity(1_000_000, 0.01, 1);
  const theirs = BfBloomFilter.create(1_000_000, 0.01);
  let sink = 0;
  const [ourAdd, theirAdd] = versus(
    overKeys(names, 20_000, (k) => (sink += ours.add(k) ? 1 : 0)),
    20_000,
    overKeys(names, 2_000, (k) => theirs.add(k)),
    2_000,
  );
  const absent = names.map((k) => `${k}#absent`);
  const [ourHas, theirHas] = versus(
    overKeys(absent, 20_000, (k) => (sink += ours.has(k) ? 1 : 0)),
    20_000,
    overKeys(absent, 2_000, (k) => (sink += theirs.has(k) ? 1 : 0)),
    2_000,
  );
  if (sink < 0) throw new Error('unreachable');
  return [
    { name: 'sketch.bloom.add', value: ourAdd, unit: 'ops/s', note: `1M keys at 1%: ${(ours.byteLength / MIB).toFixed(2)} MiB, ${ours.hashes} probes` },
    { name: 'sketch.bloom.has_absent', value: ourHas, unit: 'ops/s', note: 'keys never added (the common case for "seen before?")' },
    { name: 'sketch.bloom_filters_pkg.bloom.add', value: theirAdd, unit: 'ops/s', note: `bloom-filters BloomFilter.create(1e6, 0.01); ours ${(ourAdd / theirAdd).toFixed(0)}x` },
    { name: 'sketch.bloom_filters_pkg.bloom.has_absent', value: theirHas, unit: 'ops/s', note: `ours ${(ourHas / theirHas).toFixed(0)}x` },
  ];
}

function windowedRows(names: string[]): BenchRow[] {
  const window = { windowMs: 3_600_000, subWindows: 12, allowedLatenessMs: 900_000 };
  // Event time advances 5 ms per event (200 events/s): sub-windows rotate during the run.
  const counts = new WindowedCountMin({ ...window, width: 2 ** 16, depth: 4, seed: 1 });
  let sink = 0;
  let tick = 0;
  const countRate = measureRate(
    overKeys(names, 20_000, (k) => {
      const t = T0 + tick++ * 5;
      counts.add(k, t);
      sink += counts.estimate(k, counts.latestTimeMs);
    }),
    20_000,
    0.25,
    3,
  );
  // 1,000 principals reading from 100,000 secrets.
  const principals = names.map((_k, i) => `arn:aws:iam::123456789012:role/app-${i % 1000}`);
  const secrets = names.map((_k, i) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app-${i}/db-AbC123`);
  const distinct = new WindowedDistinctCounter({ ...window, expectedPairsPerSubWindow: 100_000, groupWidth: 2 ** 14, seed: 1 });
  tick = 0;
  const distinctRate = measureRate(
    overKeys(names, 20_000, (_k, i) => {
      const t = T0 + tick++ * 5;
      distinct.add(principals[i]!, secrets[(i * 7919) % KEY_COUNT]!, t);
      sink += distinct.count(principals[i]!, distinct.latestTimeMs);
    }),
    20_000,
    0.25,
    3,
  );
  const history = new WindowedBloom({ windowMs: 30 * 86_400_000, subWindows: 30, allowedLatenessMs: 900_000, expectedItemsPerSubWindow: 200_000, seed: 1 });
  let day = 0;
  const historyRate = measureRate(
    overKeys(names, 20_000, (k) => {
      // 20,000 events per simulated hour: the 30 daily sub-filters fill up during the run.
      const t = T0 + Math.floor(day++ / 20_000) * 3_600_000;
      sink += history.add(k, t) === 'new' ? 1 : 0;
    }),
    20_000,
    0.25,
    3,
  );
  if (sink < 0) throw new Error('unreachable');
  return [
    {
      name: 'sketch.windowed_count_min.add_estimate',
      value: countRate,
      unit: 'ops/s',
      note: `1 h / 12 sub-windows, 15 min lateness, 2^16 x 4: ${(counts.byteLength / MIB).toFixed(0)} MiB`,
    },
    {
      name: 'sketch.windowed_distinct.add_count',
      value: distinctRate,
      unit: 'ops/s',
      note: `1 h / 12, 100k pairs per sub-window at 0.1%: ${(distinct.byteLength / MIB).toFixed(1)} MiB`,
    },
    {
      name: 'sketch.windowed_bloom.add',
      value: historyRate,
      unit: 'ops/s',
      note: `30 d / 30 daily sub-filters, 200k keys each at 0.1%: ${(history.byteLength / MIB).toFixed(1)} MiB`,
    },
  ];
}

export async function runSketchBench(): Promise<BenchRow[]> {
  const names = keys();
  return [...countMinRows(names, 16), ...countMinRows(names, 20), ...bloomRows(names), ...windowedRows(names)];
}
