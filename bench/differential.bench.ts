import { describeMismatch, runStream, summarizeMismatches, type Mismatch } from '../test/support/differential/compare.js';
import { differentialRules } from '../test/support/differential/rules.js';
import { differentialStreams, type DiffStream } from '../test/support/differential/streams.js';
import type { BenchRow } from './types.js';

/**
 * The differential test (test/detectors/differential.test.ts) on many more seeds: the production
 * Detector and the exact reference on the same edge-seeking random streams, every alert compared.
 * Seeds 1001 on (the test uses 1..4); `DIFFERENTIAL_SEEDS=N` runs N of them (default 100, about
 * 1 to 2 s each). The target is 0 mismatches; the first few are described on stderr, and every
 * category gets a row.
 */
const FIRST_SEED = 1001;
const DEFAULT_SEEDS = 100;
const DESCRIBED = 3;

export function runDifferentialBench(): BenchRow[] {
  const seeds = Number(process.env['DIFFERENTIAL_SEEDS'] ?? DEFAULT_SEEDS);
  const { rules, targets } = differentialRules();
  let events = 0;
  let alerts = 0;
  const mismatches: Mismatch[] = [];
  const described: { stream: DiffStream; mismatch: Mismatch }[] = [];
  const start = process.hrtime.bigint();
  for (let seed = FIRST_SEED; seed < FIRST_SEED + seeds; seed++) {
    for (const stream of differentialStreams(seed, rules, targets)) {
      const result = runStream(stream, rules);
      events += result.events;
      alerts += result.alerts;
      mismatches.push(...result.mismatches);
      for (const mismatch of result.mismatches) if (described.length < DESCRIBED) described.push({ stream, mismatch });
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const { stream, mismatch } of described) console.error(`${describeMismatch(stream, rules, mismatch, 16)}\n`);
  return [
    { name: 'differential: seeds run', value: seeds, unit: 'seeds', note: `seeds ${FIRST_SEED}..${FIRST_SEED + seeds - 1}, 2 streams each, ${seconds.toFixed(0)} s` },
    { name: 'differential: events', value: events, unit: 'events' },
    { name: 'differential: alerts compared', value: alerts, unit: 'alerts', note: 'of both detectors' },
    { name: 'differential: mismatches', value: mismatches.length, unit: 'alerts', note: 'target 0' },
    ...summarizeMismatches(mismatches).map((line) => {
      const at = line.lastIndexOf(': ');
      return { name: `differential: ${line.slice(0, at)}`, value: Number(line.slice(at + 2)), unit: 'alerts' };
    }),
  ];
}
