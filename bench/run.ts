import { cpus, totalmem } from 'node:os';
import { runAccuracyBench } from './accuracy.bench.js';
import { runEngineBench } from './engines.bench.js';
import { runNormalizeBench } from './normalize.bench.js';
import { runReceiverBench } from './receiver.bench.js';
import { runReplayBench } from './replay.bench.js';
import { runSketchBench } from './sketch.bench.js';
import { runSoakBench } from './soak.bench.js';
import type { BenchRow } from './types.js';

/**
 * `npm run bench`: every benchmark, printed as a Markdown table ready for bench/RESULTS.md.
 * `npm run bench -- NAME...` runs only the groups named (normalize, sketch, ...). Groups marked
 * `onlyWhenNamed` (the 10-minute soak) run only when named.
 */
type Group = { name: string; run: () => BenchRow[] | Promise<BenchRow[]>; onlyWhenNamed?: boolean };

const groups: Group[] = [
  { name: 'normalize', run: () => runNormalizeBench() },
  { name: 'sketch', run: () => runSketchBench() },
  { name: 'replay', run: () => runReplayBench() },
  { name: 'accuracy', run: () => runAccuracyBench() },
  { name: 'engines', run: () => runEngineBench() },
  { name: 'receiver', run: () => runReceiverBench() },
  // SECRETWATCH_SOAK_SECONDS=120 for a short run.
  { name: 'soak', run: () => runSoakBench(), onlyWhenNamed: true },
];

function format(value: number): string {
  if (value >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 3);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Node ${process.version}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB\n`);
  console.log('| benchmark | value | unit | note |\n|---|---:|---|---|');
  for (const group of groups) {
    if (only.length > 0 ? !only.includes(group.name) : group.onlyWhenNamed === true) continue;
    for (const row of await group.run()) {
      console.log(`| ${row.name} | ${format(row.value)} | ${row.unit} | ${row.note ?? ''} |`);
    }
  }
}

await main();
