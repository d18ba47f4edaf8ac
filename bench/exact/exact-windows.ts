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

/** A group's events still in the window: times and values, oldest first from `head`. */
interface ThresholdGroup {
  times: number[];
  values: (readonly string[])[];
  head: number;
  countFired?: number;
  distinctFired?: number;
}

function exactThreshold(spec: Extract<EngineSpec, { type: 'threshold' }>, tracked: (key: string) => boolean): ExactEngine {
  const W = parseDuration(spec.window)!;
  const groups = new Map<string, ThresholdGroup>();
  const peaks = new Map<string, [number, number]>();
  const field = spec.distinct?.field;
  const seen = new Set<string>();
  const distinctOf = (g: ThresholdGroup): number => {
    seen.clear();
    for (let i = g.head; i < g.values.length; i++) for (const v of g.values[i]!) seen.add(v);
    return seen.size;
  };
  return {
    peaks,
    observe(e) {
      const t = e.time_ms;
      const key = groupKey(e, spec.group_by, false)!;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = { times: [], values: [], head: 0 }));
      while (g.head < g.times.length && g.times[g.head]! <= t - W) g.head++;
      // Drop what left the window (quiet groups would otherwise keep hours of events).
      if (g.head > 0 && (g.head > 32 || g.head * 2 >= g.times.length)) {
        g.times.splice(0, g.head);
        g.values.splice(0, g.head);
        g.head = 0;
      }
      const countBefore = g.times.length - g.head;
      const values = field !== undefined ? fieldValues(e, field as RuleField) : [];
      const distinctBefore = field !== undefined ? distinctOf(g) : 0;
      g.times.push(t);
      g.values.push(values);
      const count = countBefore + 1;
      const distinct = field !== undefined ? distinctOf(g) : 0;
      if (tracked(key)) {
        const peak = peaks.get(key);
        if (peak === undefined) peaks.set(key, [count, distinct]);
        else {
          peak[0] = Math.max(peak[0], count);
          peak[1] = Math.max(peak[1], distinct);
        }
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
  const PROVIDERS = ['aws', 'gcp', 'azure'];
  const last = new Map<string, number[]>();
  return {
    peaks: new Map(),
    observe(e) {
      const key = groupKey(e, spec.group_by, true);
      if (key === undefined) return undefined;
      const t = e.time_ms;
      let seen = last.get(key);
      if (seen === undefined) last.set(key, (seen = [-Infinity, -Infinity, -Infinity]));
      const own = PROVIDERS.indexOf(e.provider);
      const ownPresent = seen[own]! > t - W;
      const others = PROVIDERS.filter((_, p) => p !== own && seen[p]! > t - W).length;
      seen[own] = Math.max(seen[own]!, t);
      return !ownPresent && others === spec.at_least - 1 ? { event: e, group: {}, summary: '', measures: {} } : undefined;
    },
  };
}

/**
 * The exact engine of a windowed engine spec (threshold, sequence, multi_provider); `tracked`
 * says which groups' peaks to keep (the report's, not the millions of background groups).
 */
export function exactEngine(
  spec: EngineSpec,
  isFinal: (e: SecretAccessEvent) => boolean,
  isPreceding: (e: SecretAccessEvent) => boolean,
  tracked: (key: string) => boolean = () => true,
): ExactEngine {
  switch (spec.type) {
    case 'threshold':
      return exactThreshold(spec, tracked);
    case 'sequence':
      return exactSequence(spec, isFinal, isPreceding);
    case 'multi_provider':
      return exactMultiProvider(spec);
    default:
      throw new Error(`no exact reference for ${spec.type}`);
  }
}
