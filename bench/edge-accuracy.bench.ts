import { Detector } from '../detectors/detector.js';
import { defaultRulesDir, loadRules } from '../detectors/ruleset/load-rules.js';
import { compareOnEdges, type EdgeRuleScore } from './edge-accuracy.js';
import { EDGE_KINDS, edgeWorkload, type EdgeWorkloadOptions } from './gen/edge-workload.js';
import type { BenchRow } from './types.js';

const MIB = 2 ** 20;
const thousands = (n: number) => n.toLocaleString('en-US');

/** The acceptance workload of issue 8: six hours, 1,000,000 background keys at 3,000,000 reads an hour. */
export const EDGE_BENCH: EdgeWorkloadOptions = { hours: 6, backgroundKeys: 1_000_000, backgroundPerHour: 3_000_000, perKind: 1_000, seed: 8 };

function pairsNote(s: EdgeRuleScore): string {
  const pairs = [...s.measurePairs].sort((a, b) => b[1] - a[1]);
  const shown = pairs.slice(0, 6).map(([p, n]) => `${n} x ${p}`);
  return `exact / engine at the findings: ${shown.join('; ')}${pairs.length > 6 ? `; ${pairs.length - 6} more pairs` : ''}`;
}

/**
 * Exactness at the window edges (`npm run bench -- edges`): the production engines of the spike,
 * enumeration and cross-cloud rules against exact references on the edge workload
 * (bench/gen/edge-workload.ts), and the memory of all eight rules at that scale.
 */
export function runEdgeAccuracyBench(options: EdgeWorkloadOptions = EDGE_BENCH): BenchRow[] {
  const started = process.hrtime.bigint();
  const rules = loadRules(defaultRulesDir()).filter((r) => r.spec.enabled);
  const w = edgeWorkload(options);
  const result = compareOnEdges(w, rules);
  const rows: BenchRow[] = [];
  const peaks = (kind: (typeof EDGE_KINDS)[number]) => result.peaks.get(kind) ?? [];
  const inRange = (list: [number, number][], i: 0 | 1, lo: number, hi: number) => list.filter((p) => p[i] >= lo && p[i] <= hi).length;
  rows.push(
    {
      name: 'edges.workload.events',
      value: result.events,
      unit: 'events',
      note: `${options.hours} h, ${thousands(options.backgroundKeys)} background keys at ${thousands(options.backgroundPerHour)} reads/h, ${options.perKind} groups of each special kind`,
    },
    { name: 'edges.workload.near_count_groups', value: inRange(peaks('nearCount'), 0, 43, 50), unit: 'groups', note: `exact sliding-hour maximum 43..50 (of ${peaks('nearCount').length} steady readers)` },
    { name: 'edges.workload.cross_count_groups', value: inRange(peaks('crossCount'), 0, 51, Infinity), unit: 'groups', note: 'exact maximum above 50' },
    { name: 'edges.workload.near_distinct_groups', value: inRange(peaks('nearDistinct'), 1, 8, 10), unit: 'groups', note: 'exact sliding-hour maximum of 8..10 distinct secrets' },
    { name: 'edges.workload.cross_distinct_groups', value: inRange(peaks('crossDistinct'), 1, 11, Infinity), unit: 'groups', note: 'exact maximum above 10 distinct secrets' },
  );
  for (const s of result.scores) {
    rows.push(
      { name: `edges.${s.rule}.exact_findings`, value: s.exactFindings, unit: 'findings', note: pairsNote(s) },
      { name: `edges.${s.rule}.missed`, value: s.missed, unit: 'findings', note: `target 0${s.examples.length > 0 ? `; ${s.examples.join('; ')}` : ''}` },
      { name: `edges.${s.rule}.false`, value: s.falseFindings, unit: 'findings', note: 'target 0' },
      { name: `edges.${s.rule}.memory`, value: s.memoryBytes / MIB, unit: 'MiB', note: 'stats().memory_bytes, exact part included at its bound' },
    );
    if (s.exact !== undefined) {
      const e = s.exact;
      rows.push({
        name: `edges.${s.rule}.exact_state_bound`,
        value: e.bound_bytes / MIB,
        unit: 'MiB',
        note: `${thousands(e.groups)} of ${thousands(e.capacity)} groups held at the end, ${thousands(e.evictions)} evictions, ${thousands(e.approximate)} records started with events known only by sub-window, ${thousands(e.overflows)} past their caps`,
      });
    }
  }
  const detector = new Detector({ rules, clock: () => w.endMs });
  rows.push(
    { name: 'edges.all_rules.detector_memory', value: detector.memoryBytes() / MIB, unit: 'MiB', note: `Detector.memoryBytes(), ${rules.length} rules, exact parts at their bounds; target < 64` },
    { name: 'edges.elapsed', value: Number(process.hrtime.bigint() - started) / 1e9, unit: 's', note: `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB (the exact references hold every group)` },
  );
  return rows;
}
