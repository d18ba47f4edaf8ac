import { compileRule, defaultRulesDir, loadRules, type LoadedRule } from '../../../detectors/ruleset/load-rules.js';
import type { EngineSpec, RuleSpec } from '../../../detectors/ruleset/rule-schema.js';

/**
 * The rules of the differential test: the eight built-in rules as shipped, and small synthetic
 * ones (thresholds of a few events in a minute, no throttle) whose every finding reaches the
 * alert stream: with a handful of groups, sketch collisions cannot matter, so the production
 * Detector must agree with the exact reference to the event.
 */

/** Parameters the stream generator aims its edges at (window, threshold) for every windowed rule. */
export interface WindowedTargets {
  /** count_above N in W (threshold count). */
  count: { n: number; windowMs: number }[];
  /** distinct secrets above N in W. */
  distinct: { n: number; windowMs: number }[];
  /** at_least N preceding within W (sequence). */
  sequence: { n: number; windowMs: number }[];
  /** at_least N clouds within W (multi_provider). */
  multi: { n: number; windowMs: number }[];
  /** Throttle durations of the rules whose findings the generator can place exactly. */
  throttleMs: number[];
}

const MATCH_READ = { action: 'read', outcome: 'success' } as const;

/**
 * Sketches for a few hundred groups: the default ones are sized for a million, and clearing
 * megabytes at every sub-window of a one-minute window would make the test slow. At this width
 * two of a few hundred keys share all four rows with odds of about 1 in 10^7, and the filters'
 * false-positive rate at their capacity is one in a million: collisions stay irrelevant.
 */
const SMALL_SKETCH = { width: 16_384, capacity: 5_000, false_positive_rate: 0.000_001 } as const;

/** A synthetic rule made from a built-in one: same texts, another id, engine and throttle. */
function variant(base: LoadedRule, id: string, changes: { match?: RuleSpec['match']; engine: EngineSpec; throttle?: RuleSpec['throttle'] }): LoadedRule {
  const spec: RuleSpec = structuredClone(base.spec);
  spec.id = id;
  spec.match = changes.match ?? spec.match;
  spec.engine = changes.engine.type === 'time_of_day' || changes.engine.type === 'match' ? changes.engine : { ...changes.engine, sketch: SMALL_SKETCH };
  delete spec.throttle;
  delete spec.learning_period;
  if (changes.throttle !== undefined) spec.throttle = changes.throttle;
  return compileRule(spec, `differential:${id}`);
}

export interface DifferentialRules {
  rules: LoadedRule[];
  targets: WindowedTargets;
}

/** The built-in rules plus the synthetic ones, and the thresholds and windows the streams aim at. */
export function differentialRules(): DifferentialRules {
  const builtIn = loadRules(defaultRulesDir());
  const byId = (id: string): LoadedRule => {
    const rule = builtIn.find((r) => r.spec.id === id);
    if (rule === undefined) throw new Error(`built-in rule ${id} is missing`);
    return rule;
  };
  const spike = byId('secret_access_spike');
  const enumeration = byId('secret_enumeration');
  const crossCloud = byId('cross_cloud_secret_access');
  const newSource = byId('secret_access_new_source');
  const pair = ['principal.id', 'source.ip'] as const;
  const synthetic = [
    variant(spike, 'diff_count_3_in_1m', { engine: { type: 'threshold', group_by: [...pair], window: '1m', count_above: 3 } }),
    variant(spike, 'diff_distinct_2_in_1m', {
      engine: { type: 'threshold', group_by: [...pair], window: '1m', distinct: { field: 'secrets', above: 2 } },
    }),
    variant(spike, 'diff_count_4_distinct_2_in_2m', {
      engine: { type: 'threshold', group_by: [...pair], window: '2m', count_above: 4, distinct: { field: 'secrets', above: 2 } },
      throttle: { group_by: ['principal.id'], duration: '5m' },
    }),
    // Another field than secrets, one value per event, absent for events without an IP.
    variant(spike, 'diff_distinct_ip_2_in_1m', {
      match: { action: 'read' },
      engine: { type: 'threshold', group_by: ['principal.id'], window: '1m', distinct: { field: 'source.ip', above: 2 } },
    }),
    // Every read is a preceding event, successes are also final: events that are both.
    variant(enumeration, 'diff_sequence_3_in_1m', {
      engine: { type: 'sequence', group_by: [...pair], preceded_by: { match: { action: 'read' }, at_least: 3 }, within: '1m' },
    }),
    variant(crossCloud, 'diff_clouds_2_in_1m', { engine: { type: 'multi_provider', group_by: ['source.ip'], at_least: 2, within: '1m' } }),
    // No source.ip condition: events without an IP reach the engine, which skips them.
    variant(crossCloud, 'diff_clouds_3_in_1m', {
      match: { action: 'read' },
      engine: { type: 'multi_provider', group_by: ['source.ip'], at_least: 3, within: '1m' },
    }),
    // No learning_period: the default learning period of first-seen rules applies.
    variant(newSource, 'diff_new_source_default_learning', { match: MATCH_READ, engine: structuredClone(newSource.spec.engine) }),
  ];
  const rules = [...builtIn, ...synthetic];
  return { rules, targets: targetsOf(rules) };
}

/** The thresholds, windows and throttles of the rules, without repeats. */
function targetsOf(rules: readonly LoadedRule[]): WindowedTargets {
  const targets: WindowedTargets = { count: [], distinct: [], sequence: [], multi: [], throttleMs: [] };
  const add = (list: { n: number; windowMs: number }[], n: number, windowMs: number): void => {
    if (!list.some((x) => x.n === n && x.windowMs === windowMs)) list.push({ n, windowMs });
  };
  for (const rule of rules) {
    const engine = rule.spec.engine;
    const windowMs = rule.windowMs ?? 0;
    if (engine.type === 'threshold') {
      if (engine.count_above !== undefined) add(targets.count, engine.count_above, windowMs);
      if (engine.distinct?.field === 'secrets') add(targets.distinct, engine.distinct.above, windowMs);
    } else if (engine.type === 'sequence') add(targets.sequence, engine.preceded_by.at_least, windowMs);
    else if (engine.type === 'multi_provider') add(targets.multi, engine.at_least, windowMs);
    if (rule.throttleMs !== undefined && !targets.throttleMs.includes(rule.throttleMs)) targets.throttleMs.push(rule.throttleMs);
  }
  return targets;
}
