import { createEngine } from '../detectors/engines/create-engine.js';
import type { Engine, ExactStateStats } from '../detectors/engines/engine.js';
import { DEFAULT_ALLOWED_LATENESS_MS } from '../detectors/detector.js';
import type { LoadedRule } from '../detectors/ruleset/load-rules.js';
import type { SecretAccessEvent } from '../normalizers/schema.js';
import { exactEngine, type ExactEngine } from './exact/exact-windows.js';
import { forEachEdgeEvent, type EdgeKind, type EdgeWorkload } from './gen/edge-workload.js';

/** The built-in windowed rules the edge workload aims at. */
export const EDGE_RULES = ['secret_access_spike', 'secret_enumeration', 'cross_cloud_secret_access'] as const;

/** One rule's engine against the exact reference on the same events. */
export interface EdgeRuleScore {
  rule: string;
  exactFindings: number;
  engineFindings: number;
  missed: number;
  falseFindings: number;
  /** "exact/estimated" count (or distinct, failures) at each finding both raised, with how many. */
  measurePairs: Map<string, number>;
  /** First few differences, readable. */
  examples: string[];
  exact?: ExactStateStats;
  memoryBytes: number;
}

export interface EdgeComparison {
  scores: EdgeRuleScore[];
  /** Exact peak (count, distinct) of each special threshold group, by kind. */
  peaks: Map<EdgeKind, [number, number][]>;
  events: number;
}

interface Runner {
  rule: LoadedRule;
  engine: Engine;
  exact: ExactEngine;
  score: EdgeRuleScore;
}

function measureOf(m: Readonly<Record<string, unknown>>): string {
  const parts = ['count', 'distinct_secrets', 'failures'].filter((k) => k in m).map((k) => `${k}=${String(m[k])}`);
  if (m['count_is_lower_bound'] === true) parts.push('count is a lower bound');
  return parts.join(',');
}

/**
 * Runs the production engine of each rule of EDGE_RULES and its exact reference on every event of
 * the workload (events a rule's match, preceding match and exceptions let through), and compares
 * their findings event by event.
 */
export function compareOnEdges(w: EdgeWorkload, rules: readonly LoadedRule[]): EdgeComparison {
  const runners: Runner[] = EDGE_RULES.map((id) => {
    const rule = rules.find((r) => r.spec.id === id);
    if (rule === undefined) throw new Error(`edge accuracy: rule ${id} not found`);
    const isFinal = rule.match;
    const isPreceding = rule.precedingMatch ?? (() => false);
    return {
      rule,
      engine: createEngine(rule.spec.engine, {
        allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS,
        isFinal,
        ...(rule.precedingMatch !== undefined ? { isPreceding: rule.precedingMatch } : {}),
      }),
      exact: exactEngine(rule.spec.engine, isFinal, isPreceding, (key) => w.kindOf.has(key.split('\u0001')[0]!)),
      score: { rule: id, exactFindings: 0, engineFindings: 0, missed: 0, falseFindings: 0, measurePairs: new Map(), examples: [], memoryBytes: 0 },
    };
  });
  let events = 0;
  forEachEdgeEvent(w, (event: SecretAccessEvent, index: number) => {
    events++;
    for (const r of runners) {
      const rule = r.rule;
      if (!rule.match(event) && rule.precedingMatch?.(event) !== true) continue;
      if (rule.excepted(event)) continue;
      const got = r.engine.observe(event);
      const want = r.exact.observe(event);
      const s = r.score;
      if (want !== undefined) s.exactFindings++;
      if (got !== undefined) s.engineFindings++;
      if (want !== undefined && got !== undefined) {
        const pair = `${measureOf(want.measures)} / ${measureOf(got.measures)}`;
        s.measurePairs.set(pair, (s.measurePairs.get(pair) ?? 0) + 1);
      } else if (want !== undefined || got !== undefined) {
        if (want !== undefined) s.missed++;
        else s.falseFindings++;
        if (s.examples.length < 5) {
          s.examples.push(`${want !== undefined ? 'missed' : 'false'} at event ${index} (${event.principal.id}, ${event.source.ip}, ${new Date(event.time_ms).toISOString()}): exact ${want ? measureOf(want.measures) : '-'}, engine ${got ? measureOf(got.measures) : '-'}`);
        }
      }
    }
  });
  const peaks = new Map<EdgeKind, [number, number][]>();
  const spike = runners[0]!;
  for (const [key, peak] of spike.exact.peaks) {
    const kind = w.kindOf.get(key.split('\u0001')[0]!);
    if (kind === undefined) continue;
    const list = peaks.get(kind) ?? [];
    list.push(peak);
    peaks.set(kind, list);
  }
  for (const r of runners) {
    const stats = r.engine.stats();
    r.score.memoryBytes = stats.memory_bytes;
    if (stats.exact !== undefined) r.score.exact = stats.exact;
  }
  return { scores: runners.map((r) => r.score), peaks, events };
}
