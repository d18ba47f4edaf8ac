import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { runAccuracyBench } from './accuracy.bench.js';
import { runCompareDetectorBench, type CompareOptions } from './compare-detector.bench.js';
import { runDifferentialBench } from './differential.bench.js';
import { runEdgeAccuracyBench } from './edge-accuracy.bench.js';
import { runEngineBench } from './engines.bench.js';
import { useClock } from './measure.js';
import { runMemoryBench } from './memory.bench.js';
import { runNormalizeBench } from './normalize.bench.js';
import { runReceiverBench } from './receiver.bench.js';
import { runReplayBench } from './replay.bench.js';
import { runSketchBench } from './sketch.bench.js';
import { runSoakBench } from './soak.bench.js';
import type { BenchRow } from './types.js';
import { runWalBench } from './wal.bench.js';

/**
 * `npm run bench`: every benchmark, printed as a Markdown table ready for bench/RESULTS.md.
 * `npm run bench -- NAME...` runs only the groups named (normalize, sketch, ...). Groups marked
 * `onlyWhenNamed` (the 10-minute soak, compare-detector) run only when named.
 * `npm run bench -- compare-detector [--base REV] [--rounds N]` compares the detectors of another
 * git revision with this checkout's (it needs git, so it runs only when named).
 * Measured figures are medians over alternating rounds, with min..max over the rounds beside
 * them, timed in CPU seconds of this process unless `--clock wall` (bench/measure.ts).
 */
type Group = { name: string; onlyWhenNamed?: boolean; run: (options: CompareOptions) => BenchRow[] | Promise<BenchRow[]> };

const groups: Group[] = [
  { name: 'normalize', run: () => runNormalizeBench() },
  { name: 'memory', run: () => runMemoryBench() },
  { name: 'sketch', run: () => runSketchBench() },
  { name: 'replay', run: () => runReplayBench() },
  { name: 'accuracy', run: () => runAccuracyBench() },
  { name: 'edges', run: () => runEdgeAccuracyBench() },
  { name: 'engines', run: () => runEngineBench() },
  { name: 'receiver', run: () => runReceiverBench() },
  { name: 'wal', run: () => runWalBench() },
  { name: 'differential', run: () => runDifferentialBench() },
  { name: 'compare-detector', onlyWhenNamed: true, run: (options) => runCompareDetectorBench(options) },
  // SECRETWATCH_SOAK_SECONDS=120 for a short run.
  { name: 'soak', onlyWhenNamed: true, run: () => runSoakBench() },
];

function format(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 3);
}

function spread(row: BenchRow): string {
  return row.spread === undefined ? '' : `${format(row.spread.min)}..${format(row.spread.max)} (${row.spread.rounds})`;
}

async function main(): Promise<void> {
  const { values, positionals: only } = parseArgs({
    allowPositionals: true,
    options: { base: { type: 'string' }, rounds: { type: 'string' }, clock: { type: 'string', default: 'cpu' } },
  });
  if (values.clock !== 'cpu' && values.clock !== 'wall') throw new Error(`--clock: expected cpu or wall, got ${values.clock}`);
  useClock(values.clock);
  const unknown = only.filter((name) => !groups.some((g) => g.name === name));
  if (unknown.length > 0) throw new Error(`unknown bench group ${unknown.join(', ')}; groups: ${groups.map((g) => g.name).join(', ')}`);
  const rounds = values.rounds !== undefined ? Number(values.rounds) : undefined;
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 5)) throw new Error(`--rounds: expected an integer of at least 5, got ${values.rounds}`);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Node ${process.version}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
  const clock = values.clock === 'cpu' ? 'CPU time of this process (user + system, all threads)' : 'wall time';
  console.log(`Measured rows: the value is the median of alternating rounds, min..max the spread over those rounds; rates per second of ${clock}.\n`);
  console.log('| benchmark | value | min..max (rounds) | unit | note |\n|---|---:|---:|---|---|');
  const started = process.hrtime.bigint();
  for (const group of groups) {
    const named = only.includes(group.name);
    if (only.length > 0 ? !named : group.onlyWhenNamed === true) continue;
    for (const row of await group.run({ base: values.base, rounds })) {
      console.log(`| ${row.name} | ${format(row.value)} | ${spread(row)} | ${row.unit} | ${row.note ?? ''} |`);
    }
  }
  console.log(`\nElapsed: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s`);
}

await main();
