import { Detector } from '../detectors/detector.js';
import { defaultRulesDir, loadRules, type LoadedRule } from '../detectors/ruleset/load-rules.js';
import { ExactSpike } from './exact/exact-spike.js';
import { forEachEvent, ipGroup, KIND_NAMES, spikeWorkload, type SpikeWorkload } from './gen/spike-workload.js';
import type { BenchRow } from './types.js';

const SPIKE_RULE = 'secret_access_spike';
const MIB = 2 ** 20;
/** Exact counts in this range are too close to `count_above: 50` to score a sketch on. */
const GREY_LOW = 40;
const GREY_HIGH = 60;

const gc = (globalThis as { gc?: () => void }).gc;

/** Live JS heap plus memory outside it (typed arrays: the sketches), after a full collection. */
function liveBytes(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** Alert time per group (index into the workload), for the groups that alerted. */
type Alerts = Map<number, number>;

interface DetectorRun {
  alerts: Alerts;
  memoryBytes: number;
  heapDelta: number;
  seconds: number;
  saturated: number;
}

function runDetector(w: SpikeWorkload, rules: readonly LoadedRule[]): DetectorRun {
  const before = liveBytes();
  // The injected clock reads "just after the hour the stream covers": events are in the past, as in a replay.
  const now = w.startMs + 3_600_000;
  const detector = new Detector({ rules, clock: () => now });
  const alerts: Alerts = new Map();
  const start = process.hrtime.bigint();
  forEachEvent(w, (event) => {
    for (const alert of detector.process(event)) {
      if (alert.attributes['security_rule.name'] !== SPIKE_RULE) continue;
      const group = ipGroup(String(alert.attributes['client.address']));
      if (!alerts.has(group)) alerts.set(group, Date.parse(alert.time));
    }
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const heapDelta = liveBytes() - before;
  const stats = detector.stats()[SPIKE_RULE];
  return { alerts, memoryBytes: detector.memoryBytes(), heapDelta, seconds, saturated: stats?.engine.saturated ?? 0 };
}

function runExact(w: SpikeWorkload): { alerts: Alerts; heapDelta: number; seconds: number } {
  const before = liveBytes();
  const exact = new ExactSpike();
  const alerts: Alerts = new Map();
  const start = process.hrtime.bigint();
  forEachEvent(w, (event) => {
    const alert = exact.observe(event);
    if (alert !== undefined) alerts.set(ipGroup(alert.ip), alert.timeMs);
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const heapDelta = liveBytes() - before;
  if (exact.groupCount !== w.groups) throw new Error(`accuracy bench: exact saw ${exact.groupCount} groups, expected ${w.groups}`);
  return { alerts, heapDelta, seconds };
}

interface Score {
  truth: number;
  missed: number;
  falseAlerts: number;
  /** Alerts on the same group at another event than the exact reference's crossing event. */
  otherEvent: number;
  greyDetector: number;
  greyExact: number;
  missedKinds: string;
  falseKinds: string;
}

/** Compares alerting groups; groups with an exact count in the grey zone are left out. */
function score(w: SpikeWorkload, detector: Alerts, exact: Alerts): Score {
  const grey = (g: number) => w.groupReads[g]! >= GREY_LOW && w.groupReads[g]! <= GREY_HIGH;
  const kinds = (groups: number[]) => {
    const byKind = new Map<string, number>();
    for (const g of groups) {
      const name = KIND_NAMES[w.groupKind[g]!] ?? '?';
      byKind.set(name, (byKind.get(name) ?? 0) + 1);
    }
    return [...byKind].map(([k, n]) => `${n} ${k}`).join(', ');
  };
  const missed: number[] = [];
  const falseAlerts: number[] = [];
  let truth = 0;
  let otherEvent = 0;
  let greyDetector = 0;
  let greyExact = 0;
  for (const [g, t] of exact) {
    if (grey(g)) {
      greyExact++;
      continue;
    }
    truth++;
    const d = detector.get(g);
    if (d === undefined) missed.push(g);
    else if (d !== t) otherEvent++;
  }
  for (const g of detector.keys()) {
    if (grey(g)) greyDetector++;
    else if (!exact.has(g)) falseAlerts.push(g);
  }
  return {
    truth,
    missed: missed.length,
    falseAlerts: falseAlerts.length,
    otherEvent,
    greyDetector,
    greyExact,
    missedKinds: kinds(missed),
    falseKinds: kinds(falseAlerts),
  };
}

const mib = (bytes: number) => bytes / MIB;
const thousands = (n: number) => n.toLocaleString('en-US');

/**
 * Accuracy and memory of secret_access_spike at 1,000,000 distinct (principal, IP) groups and
 * 3,000,000 reads in one hour of event time, default sketch sizes, against an exact Map-based
 * implementation of the same rule (bench/exact/exact-spike.ts); then 100,000 groups and 300,000
 * reads, to show that the detector's memory does not depend on the number of groups.
 */
export function runAccuracyBench(): BenchRow[] {
  const all = loadRules(defaultRulesDir()).filter((r) => r.spec.enabled);
  const spike = all.filter((r) => r.spec.id === SPIKE_RULE);
  if (spike.length !== 1) throw new Error(`accuracy bench: rule ${SPIKE_RULE} not found in ${defaultRulesDir()}`);
  const started = process.hrtime.bigint();
  const rows: BenchRow[] = [];

  const big = spikeWorkload(1_000_000, 3_000_000);
  const bigDetector = runDetector(big, spike);
  const bigExact = runExact(big);
  const s = score(big, bigDetector.alerts, bigExact.alerts);

  const small = spikeWorkload(100_000, 300_000);
  const smallDetector = runDetector(small, spike);
  const smallExact = runExact(small);
  const smallScore = score(small, smallDetector.alerts, smallExact.alerts);
  // Every rule: memory is fixed at construction, so the smaller stream is enough to see it.
  const allRules = runDetector(small, all);

  const gcNote = gc === undefined ? ' (no --expose-gc: heap figures are rough)' : '';
  const workload = `${thousands(big.groups)} groups, ${thousands(big.events)} reads in 1h`;
  rows.push(
    { name: 'accuracy.spike.exact_alerts', value: s.truth, unit: 'alerts', note: `${workload}; exact reference, groups outside counts ${GREY_LOW}..${GREY_HIGH}` },
    {
      name: 'accuracy.spike.missed_alerts',
      value: s.missed,
      unit: 'alerts',
      note: `target 0${s.missed > 0 ? `; ${s.missedKinds}` : ''}; ${s.otherEvent} of the found fired at another event than the exact crossing`,
    },
    { name: 'accuracy.spike.false_alerts', value: s.falseAlerts, unit: 'alerts', note: `target 0${s.falseAlerts > 0 ? `; ${s.falseKinds}` : ''}` },
    { name: 'accuracy.spike.grey_zone_alerts', value: s.greyDetector, unit: 'alerts', note: `not scored; exact: ${s.greyExact}` },
    {
      name: 'accuracy.spike.detector_memory',
      value: mib(bigDetector.memoryBytes),
      unit: 'MiB',
      note: `Detector.memoryBytes(), ${SPIKE_RULE} only; target < 64${bigDetector.saturated > 0 ? `; ${bigDetector.saturated} sketch(es) saturated` : ''}`,
    },
    { name: 'accuracy.spike.detector_heap_delta', value: mib(bigDetector.heapDelta), unit: 'MiB', note: `heap + external after the stream${gcNote}` },
    { name: 'accuracy.spike.exact_heap_delta', value: mib(bigExact.heapDelta), unit: 'MiB', note: `Map-based exact reference${gcNote}` },
    { name: 'accuracy.spike.memory_ratio', value: bigExact.heapDelta / bigDetector.heapDelta, unit: 'x', note: 'exact / detector heap delta' },
    {
      name: 'accuracy.spike.detector_rate',
      value: big.events / bigDetector.seconds,
      unit: 'events/s',
      note: `Detector.process incl. building events; exact: ${thousands(Math.round(big.events / bigExact.seconds))} events/s`,
    },
    {
      name: 'accuracy.spike_100k.missed_false_alerts',
      value: smallScore.missed + smallScore.falseAlerts,
      unit: 'alerts',
      note: `${thousands(small.groups)} groups, ${thousands(small.events)} reads: ${smallScore.missed} missed, ${smallScore.falseAlerts} false of ${smallScore.truth}`,
    },
    { name: 'accuracy.spike_100k.detector_memory', value: mib(smallDetector.memoryBytes), unit: 'MiB', note: 'flat: same as at 1,000,000 groups' },
    { name: 'accuracy.spike_100k.detector_heap_delta', value: mib(smallDetector.heapDelta), unit: 'MiB' },
    { name: 'accuracy.spike_100k.exact_heap_delta', value: mib(smallExact.heapDelta), unit: 'MiB' },
    { name: 'accuracy.all_rules.detector_memory', value: mib(allRules.memoryBytes), unit: 'MiB', note: `Detector.memoryBytes(), ${all.length} rules; target < 64` },
    { name: 'accuracy.all_rules.detector_heap_delta', value: mib(allRules.heapDelta), unit: 'MiB', note: `after the ${thousands(small.groups)}-group stream${gcNote}` },
    {
      name: 'accuracy.elapsed',
      value: Number(process.hrtime.bigint() - started) / 1e9,
      unit: 's',
      note: `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
    },
  );
  return rows;
}
