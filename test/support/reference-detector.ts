import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Alert } from '../../detectors/alerts/alert.js';
import { buildAlert } from '../../detectors/alerts/build-alert.js';
import type { Finding } from '../../detectors/engines/engine.js';
import { fieldValue, fieldValues, type RuleField } from '../../detectors/ruleset/field-path.js';
import type { LoadedRule } from '../../detectors/ruleset/load-rules.js';
import type { RuleTestDetector, RuleTestDetectorOptions } from '../../detectors/ruleset/run-rule-tests.js';

/**
 * An exact, unbounded, slow detector: the rule semantics written as plainly as possible, with
 * arrays and maps instead of sketches. It is the oracle for the rule files' inline tests (they
 * must pass here whatever the production engines do) and a reference to compare the sketch-based
 * engines with. Test use only: its memory grows with every key it sees.
 *
 * Semantics: threshold fires when the count (or distinct count) over (t - window, t] goes above
 * the limit and was not above it just before this event; new_terms fires when the combination was
 * not seen in (t - history, t); sequence fires on a final event preceded by at least N preceding
 * events in (t - within, t], then forgets them; multi_provider fires when the number of providers
 * seen in (t - within, t] reaches the minimum; time_of_day fires outside [start, end) UTC hours
 * or on a day off; match fires on every event. Learning and throttling as in the Detector.
 */

type Engine = (event: SecretAccessEvent, isFinal: boolean, isPreceding: boolean) => Finding | undefined;

function groupOf(event: SecretAccessEvent, fields: readonly RuleField[]): Record<string, string> {
  const group: Record<string, string> = {};
  for (const f of fields) group[f] = fieldValue(event, f) ?? '';
  return group;
}

function keyOf(group: Record<string, string>): string {
  return JSON.stringify(Object.values(group));
}

function finding(event: SecretAccessEvent, group: Record<string, string>, summary: string, measures: Finding['measures'] = {}): Finding {
  return { event, group, summary, measures };
}

function makeEngine(rule: LoadedRule): Engine {
  const spec = rule.spec.engine;
  const windowMs = rule.windowMs ?? 0;
  switch (spec.type) {
    case 'match':
      return (e) => finding(e, {}, `called ${e.operation}`);
    case 'time_of_day':
      return (e) => {
        const d = new Date(e.time_ms);
        const hour = d.getUTCHours();
        const [start, end] = spec.working_hours_utc;
        const outside = spec.days_off.includes(d.getUTCDay()) || hour < start || hour >= end;
        return outside ? finding(e, {}, 'read a secret outside working hours') : undefined;
      };
    case 'threshold': {
      const windows = new Map<string, SecretAccessEvent[]>();
      const holds = (events: readonly SecretAccessEvent[]): boolean => {
        if (spec.count_above !== undefined && events.length > spec.count_above) return true;
        if (spec.distinct !== undefined) {
          const field = spec.distinct.field;
          const distinct = new Set(events.flatMap((x) => fieldValues(x, field)));
          if (distinct.size > spec.distinct.above) return true;
        }
        return false;
      };
      return (e) => {
        const group = groupOf(e, spec.group_by);
        const key = keyOf(group);
        const kept = (windows.get(key) ?? []).filter((x) => x.time_ms > e.time_ms - windowMs && x.time_ms <= e.time_ms);
        const before = holds(kept);
        kept.push(e);
        windows.set(key, kept);
        return !before && holds(kept) ? finding(e, group, `read ${kept.length} times`, { count: kept.length }) : undefined;
      };
    }
    case 'new_terms': {
      const lastSeen = new Map<string, number>();
      return (e) => {
        const group = groupOf(e, spec.fields);
        const key = keyOf(group);
        const last = lastSeen.get(key);
        lastSeen.set(key, Math.max(last ?? -Infinity, e.time_ms));
        const isNew = last === undefined || e.time_ms - last >= windowMs;
        return isNew ? finding(e, group, 'did this for the first time') : undefined;
      };
    }
    case 'sequence': {
      const preceding = new Map<string, number[]>();
      return (e, isFinal, isPreceding) => {
        const group = groupOf(e, spec.group_by);
        const key = keyOf(group);
        const times = (preceding.get(key) ?? []).filter((t) => t > e.time_ms - windowMs);
        if (isPreceding) times.push(e.time_ms);
        preceding.set(key, times);
        if (!isFinal) return undefined;
        const before = times.filter((t) => t <= e.time_ms).length;
        if (before < spec.preceded_by.at_least) return undefined;
        preceding.set(key, []);
        return finding(e, group, `succeeded after ${before} failures`, { preceding: before });
      };
    }
    case 'multi_provider': {
      const seen = new Map<string, Map<string, number>>();
      return (e) => {
        const group = groupOf(e, spec.group_by);
        const key = keyOf(group);
        const providers = seen.get(key) ?? new Map<string, number>();
        const live = (): number => [...providers.values()].filter((t) => t > e.time_ms - windowMs).length;
        const before = live();
        providers.set(e.provider, Math.max(providers.get(e.provider) ?? -Infinity, e.time_ms));
        seen.set(key, providers);
        const after = live();
        return before < spec.at_least && after >= spec.at_least ? finding(e, group, `read secrets in ${after} clouds`) : undefined;
      };
    }
  }
}

interface Runtime {
  rule: LoadedRule;
  engine: Engine;
  createdAt: number;
  throttle: Map<string, number>;
}

export class ReferenceDetector implements RuleTestDetector {
  private readonly runtimes: Runtime[];
  private readonly clock: () => number;
  private readonly learningCompleteAt: number | undefined;

  constructor(options: RuleTestDetectorOptions) {
    this.clock = options.clock;
    this.learningCompleteAt = options.learningCompleteAt;
    this.runtimes = options.rules
      .filter((r) => r.spec.enabled)
      .map((rule) => ({ rule, engine: makeEngine(rule), createdAt: Number.NaN, throttle: new Map() }));
  }

  process(event: SecretAccessEvent): Alert[] {
    const alerts: Alert[] = [];
    for (const rt of this.runtimes) {
      const { rule } = rt;
      const isFinal = rule.match(event);
      const isPreceding = rule.precedingMatch?.(event) === true;
      if ((!isFinal && !isPreceding) || rule.excepted(event)) continue;
      if (Number.isNaN(rt.createdAt)) rt.createdAt = event.time_ms;
      const found = rt.engine(event, isFinal, isPreceding);
      if (found === undefined) continue;
      const learningMs = rule.learningPeriodMs ?? 0;
      const completeAt = this.learningCompleteAt ?? rt.createdAt + learningMs;
      if (learningMs > 0 && event.time_ms < completeAt) continue;
      const throttle = rule.spec.throttle;
      if (throttle !== undefined) {
        const key = keyOf(groupOf(event, throttle.group_by));
        const last = rt.throttle.get(key);
        if (last !== undefined && event.time_ms - last < (rule.throttleMs ?? 0)) continue;
        rt.throttle.set(key, event.time_ms);
      }
      alerts.push(buildAlert(rule.spec, found, this.clock()));
    }
    return alerts;
  }

  flush(): Alert[] {
    return [];
  }
}
