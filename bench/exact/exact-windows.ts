import type { Finding } from '../../detectors/engines/engine.js';
import { groupKey } from '../../detectors/engines/group-key.js';
import { fieldValues, type RuleField } from '../../detectors/ruleset/field-path.js';
import type { EngineSpec } from '../../detectors/ruleset/rule-schema.js';
import { parseDuration } from '../../detectors/ruleset/duration.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';

/**
 * Exact, unbounded implementations of the windowed engines' semantics (detectors/engines/
 * README.md) for streams in time order, for the accuracy benchmark: every event of every group
 * kept while it can be in a window, in plain maps and arrays. Memory grows with the groups.
 * Findings carry the same measures as the engines' (count, distinct_secrets, failures).
 */
export interface ExactEngine {
  observe(event: SecretAccessEvent): Finding | undefined;
  /** Largest count (and distinct count) reached by each group, for the report. */
  readonly peaks: Map<string, [number, number]>;
}

interface ThresholdGroup {
  times: number[];
  head: number;
  values: [number, readonly string[]][];
  valueHead: number;
  counts: Map<string, number>;
  countFired?: number;
  distinctFired?: number;
}

function exactThreshold(spec: Extract<EngineSpec, { type: 'threshold' }>): ExactEngine {
  const W = parseDuration(spec.window)!;
  const groups = new Map<string, ThresholdGroup>();
  const peaks = new Map<string, [number, number]>();
  const field = spec.distinct?.field;
  return {
    peaks,
    observe(e) {
      const t = e.time_ms;
      const key = groupKey(e, spec.group_by, false)!;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { times: [], head: 0, values: [], valueHead: 0, counts: new Map() }));
      while (g.head < g.times.length && g.times[g.head]! <= t - W) g.head++;
      while (g.valueHead < g.values.length && g.values[g.valueHead]![0] <= t - W) {
        for (const v of g.values[g.valueHead++]![1]) {
          const c = g.counts.get(v)! - 1;
          if (c === 0) g.counts.delete(v);
          else g.counts.set(v, c);
        }
      }
      if (g.head > 64 && g.head * 2 > g.times.length) {
        g.times.splice(0, g.head);
        g.head = 0;
      }
      if (g.valueHead > 64 && g.valueHead * 2 > g.values.length) {
        g.values.splice(0, g.valueHead);
        g.valueHead = 0;
      }
      const countBefore = g.times.length - g.head;
      const distinctBefore = g.counts.size;
      g.times.push(t);
      const values = field !== undefined ? fieldValues(e, field as RuleField) : [];
      if (values.length > 0) {
        g.values.push([t, values]);
        for (const v of values) g.counts.set(v, (g.counts.get(v) ?? 0) + 1);
      }
      const count = countBefore + 1;
      const distinct = g.counts.size;
      const peak = peaks.get(key);
      if (peak === undefined) peaks.set(key, [count, distinct]);
      else {
        peak[0] = Math.max(peak[0], count);
        peak[1] = Math.max(peak[1], distinct);
      }
      let fires = false;
      const N = spec.count_above;
      if (N !== undefined && count > N && (countBefore <= N || g.countFired === undefined || t - g.countFired >= W)) {
        g.countFired = t;
        fires = true;
      }
      const D = spec.distinct?.above;
      if (D !== undefined && values.length > 0 && distinct > D && (distinctBefore <= D || g.distinctFired === undefined || t - g.distinctFired >= W)) {
        g.distinctFired = t;
        fires = true;
      }
      if (!fires) return undefined;
      const measures: Record<string, number> = {};
      if (N !== undefined) measures['count'] = count;
      if (D !== undefined) measures['distinct_secrets'] = distinct;
      return { event: e, group: {}, summary: '', measures };
    },
  };
}

function exactSequence(
  spec: Extract<EngineSpec, { type: 'sequence' }>,
  isFinal: (e: SecretAccessEvent) => boolean,
  isPreceding: (e: SecretAccessEvent) => boolean,
): ExactEngine {
  const W = parseDuration(spec.within)!;
  const groups = new Map<string, { failures: number[]; consumed: number }>();
  return {
    peaks: new Map(),
    observe(e) {
      const t = e.time_ms;
      const key = groupKey(e, spec.group_by, false)!;
      const g = groups.get(key);
      let finding: Finding | undefined;
      if (isFinal(e) && g !== undefined) {
        const from = Math.max(t - W, g.consumed);
        const fresh = g.failures.filter((f) => f > from && f <= t).length;
        if (fresh >= spec.preceded_by.at_least) {
          g.consumed = Math.max(g.consumed, t);
          finding = { event: e, group: {}, summary: '', measures: { failures: fresh } };
        }
      }
      if (isPreceding(e)) {
        const rec = g ?? { failures: [], consumed: -Infinity };
        if (g === undefined) groups.set(key, rec);
        rec.failures.push(t);
        rec.failures = rec.failures.filter((f) => f > t - W);
      }
      return finding;
    },
  };
}

function exactMultiProvider(spec: Extract<EngineSpec, { type: 'multi_provider' }>): ExactEngine {
  const W = parseDuration(spec.within)!;
  const last = new Map<string, Map<string, number>>();
  return {
    peaks: new Map(),
    observe(e) {
      const key = groupKey(e, spec.group_by, true);
      if (key === undefined) return undefined;
      const t = e.time_ms;
      let seen = last.get(key);
      if (seen === undefined) last.set(key, (seen = new Map()));
      const present = (p: string) => (seen.get(p) ?? -Infinity) > t - W;
      const own = present(e.provider);
      const others = ['aws', 'gcp', 'azure'].filter((p) => p !== e.provider && present(p)).length;
      seen.set(e.provider, Math.max(seen.get(e.provider) ?? -Infinity, t));
      return !own && others === spec.at_least - 1 ? { event: e, group: {}, summary: '', measures: {} } : undefined;
    },
  };
}

/** The exact engine of a windowed engine spec (threshold, sequence, multi_provider). */
export function exactEngine(
  spec: EngineSpec,
  isFinal: (e: SecretAccessEvent) => boolean,
  isPreceding: (e: SecretAccessEvent) => boolean,
): ExactEngine {
  switch (spec.type) {
    case 'threshold':
      return exactThreshold(spec);
    case 'sequence':
      return exactSequence(spec, isFinal, isPreceding);
    case 'multi_provider':
      return exactMultiProvider(spec);
    default:
      throw new Error(`no exact reference for ${spec.type}`);
  }
}
