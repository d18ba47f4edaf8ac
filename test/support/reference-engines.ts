import type { Provider, SecretAccessEvent } from '../../normalizers/schema.js';
import type { Finding } from '../../detectors/engines/engine.js';
import { formatDuration } from '../../detectors/ruleset/duration.js';
import { fieldValue, fieldValues, type RuleField } from '../../detectors/ruleset/field-path.js';
import type { EngineSpec } from '../../detectors/ruleset/rule-schema.js';

/**
 * The engines of the reference detector, written as the contract reads (issue 8, "exact window
 * semantics"), with arrays and maps and no sketches: every admitted event of a group is kept and
 * every window is counted by looking at all of them. Slow and unbounded on purpose; test use only.
 *
 * "In the window ending at s" is the half-open interval (s - W, s] in integer ms.
 */

export type ReferenceEngine = (event: SecretAccessEvent, isFinal: boolean, isPreceding: boolean) => Finding | undefined;

const PROVIDERS: readonly Provider[] = ['aws', 'gcp', 'azure'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Admission of every windowed engine: t finite and t >= newest admitted before - lateness. */
class Admission {
  newest = -Infinity;
  constructor(private readonly latenessMs: number) {}

  admit(t: number): boolean {
    if (!Number.isFinite(t) || t < this.newest - this.latenessMs) return false;
    this.newest = Math.max(this.newest, t);
    return true;
  }
}

/** The group as field -> value; absent fields are left out (as the production findings do). */
function groupOf(event: SecretAccessEvent, fields: readonly RuleField[]): Record<string, string> {
  const group: Record<string, string> = {};
  for (const f of fields) {
    const v = fieldValue(event, f);
    if (v !== undefined) group[f] = v;
  }
  return group;
}

/** A map key for the group; an absent value differs from every present one. */
function keyOf(event: SecretAccessEvent, fields: readonly RuleField[]): string {
  return JSON.stringify(fields.map((f) => fieldValue(event, f) ?? null));
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

interface Admitted {
  t: number;
  values: readonly string[];
}

type ThresholdSpec = Extract<EngineSpec, { type: 'threshold' }>;

/**
 * threshold. Per group, E = its admitted events including e (time t). Ends(e) = {t} and the times
 * of events of E in (t, t + W - 1]: the window ending at e and the windows ending at later events
 * that still contain e. After = the largest measure over those windows, Before = the same without
 * e. A part fires when After > N and either Before <= N (the crossing) or the group has no earlier
 * finding of that part within W on either side (still above a window later: fires again).
 */
function thresholdEngine(spec: ThresholdSpec, windowMs: number, latenessMs: number): ReferenceEngine {
  const admission = new Admission(latenessMs);
  const events = new Map<string, Admitted[]>();
  const countFindings = new Map<string, number[]>();
  const distinctFindings = new Map<string, number[]>();
  const distinctField = spec.distinct?.field;

  const count = (es: readonly Admitted[], s: number): number => es.filter((x) => x.t > s - windowMs && x.t <= s).length;
  const distinct = (es: readonly Admitted[], s: number): number =>
    new Set(es.filter((x) => x.t > s - windowMs && x.t <= s).flatMap((x) => x.values)).size;
  const maxOver = (ends: readonly number[], measure: (s: number) => number): number => Math.max(...ends.map(measure));
  // Only the most recently recorded finding is remembered (by arrival), as the engine's FiredGroups does.
  const firedWithin = (findings: readonly number[], t: number): boolean => findings.length > 0 && Math.abs(t - findings[findings.length - 1]!) < windowMs;

  return (e) => {
    const t = e.time_ms;
    if (!admission.admit(t)) return undefined;
    const key = keyOf(e, spec.group_by);
    const others = getOrAdd(events, key, () => []);
    const self: Admitted = { t, values: distinctField !== undefined ? fieldValues(e, distinctField) : [] };
    const all = [...others, self];
    others.push(self);
    const ends = [t, ...all.filter((x) => x.t > t && x.t <= t + windowMs - 1).map((x) => x.t)];
    const before = all.filter((x) => x !== self);

    let countAfter: number | undefined;
    let countFires = false;
    if (spec.count_above !== undefined) {
      const n = spec.count_above;
      countAfter = maxOver(ends, (s) => count(all, s));
      const countBefore = maxOver(ends, (s) => count(before, s));
      const fired = getOrAdd(countFindings, key, () => []);
      countFires = countAfter > n && (countBefore <= n || !firedWithin(fired, t));
      if (countFires) fired.push(t);
    }
    let distinctAfter: number | undefined;
    let distinctFires = false;
    if (spec.distinct !== undefined) {
      const n = spec.distinct.above;
      distinctAfter = maxOver(ends, (s) => distinct(all, s));
      const distinctBefore = maxOver(ends, (s) => distinct(before, s));
      const fired = getOrAdd(distinctFindings, key, () => []);
      distinctFires = self.values.length > 0 && distinctAfter > n && (distinctBefore <= n || !firedWithin(fired, t));
      if (distinctFires) fired.push(t);
    }
    if (!countFires && !distinctFires) return undefined;

    const measures: Record<string, number | string | string[]> = {};
    if (countAfter !== undefined) measures['count'] = countAfter;
    if (distinctAfter !== undefined) {
      if (distinctField === 'secrets') measures['distinct_secrets'] = distinctAfter;
      else {
        measures['distinct_values'] = distinctAfter;
        measures['distinct_field'] = distinctField!;
      }
    }
    measures['window_seconds'] = windowMs / 1000;
    const what =
      countFires ? `made ${countAfter} matching calls`
      : distinctField === 'secrets' ? `read ${distinctAfter} distinct secrets`
      : `used ${distinctAfter} distinct values of ${distinctField}`;
    return { event: e, group: groupOf(e, spec.group_by), summary: `${what} in ${formatDuration(windowMs)}`, measures };
  };
}

type SequenceSpec = Extract<EngineSpec, { type: 'sequence' }>;

/**
 * sequence. A final event at t fires when at least N preceding events of its group, admitted
 * before it, lie in (t - W, t] and after the group's latest finding (consumed); the finding moves
 * consumed to t. An event that is both is judged as final first, then recorded as preceding.
 */
function sequenceEngine(spec: SequenceSpec, windowMs: number, latenessMs: number): ReferenceEngine {
  const admission = new Admission(latenessMs);
  const preceding = new Map<string, number[]>();
  const consumed = new Map<string, number>();
  return (e, isFinal, isPreceding) => {
    const t = e.time_ms;
    if (!admission.admit(t)) return undefined;
    const key = keyOf(e, spec.group_by);
    const times = getOrAdd(preceding, key, () => []);
    let finding: Finding | undefined;
    if (isFinal) {
      const since = consumed.get(key) ?? -Infinity;
      const fresh = times.filter((f) => f > t - windowMs && f <= t && f > since).length;
      if (fresh >= spec.preceded_by.at_least) {
        consumed.set(key, Math.max(since, t));
        finding = {
          event: e,
          group: groupOf(e, spec.group_by),
          summary: `called ${e.operation} after ${fresh} preceding failures within ${formatDuration(windowMs)}`,
          measures: { failures: fresh, window_seconds: windowMs / 1000 },
        };
      }
    }
    if (isPreceding) times.push(t);
    return finding;
  };
}

type MultiProviderSpec = Extract<EngineSpec, { type: 'multi_provider' }>;

/**
 * multi_provider. Events missing a group field are skipped (after admission). Seen(q): the latest
 * earlier admitted event of (group, q) is later than t - W (for a late event, a sighting after it
 * counts however much later). Fires when the event's own provider is not seen and exactly N - 1
 * others are.
 */
function multiProviderEngine(spec: MultiProviderSpec, windowMs: number, latenessMs: number): ReferenceEngine {
  const admission = new Admission(latenessMs);
  const times = new Map<string, number[]>();
  return (e) => {
    const t = e.time_ms;
    if (!admission.admit(t)) return undefined;
    if (spec.group_by.some((f) => fieldValue(e, f) === undefined)) return undefined;
    const key = keyOf(e, spec.group_by);
    const seen = (q: Provider): boolean => (times.get(`${key}|${q}`) ?? []).some((x) => x > t - windowMs);
    const own = seen(e.provider);
    const present = PROVIDERS.filter((q) => q !== e.provider && seen(q));
    getOrAdd(times, `${key}|${e.provider}`, () => []).push(t);
    if (own || present.length !== spec.at_least - 1) return undefined;
    const providers = PROVIDERS.filter((q) => q === e.provider || present.includes(q));
    return {
      event: e,
      group: groupOf(e, spec.group_by),
      summary: `accessed secrets in ${providers.length} clouds (${providers.join(', ')}) within ${formatDuration(windowMs)}`,
      measures: { providers, window_seconds: windowMs / 1000 },
    };
  };
}

type NewTermsSpec = Extract<EngineSpec, { type: 'new_terms' }>;

/** Every combination of one value per field; none when a field has no value. */
function termsOf(event: SecretAccessEvent, fields: readonly RuleField[]): string[][] {
  let terms: string[][] = [[]];
  for (const f of fields) terms = terms.flatMap((prefix) => fieldValues(event, f).map((v) => [...prefix, v]));
  return terms;
}

/**
 * new_terms (not made exact by issue 8: production may remember up to one sub-window longer). A
 * term is new when it was never seen, or last seen (latest time) at least the history ago. The
 * event fires once, naming its first new term.
 */
function newTermsEngine(spec: NewTermsSpec, historyMs: number, latenessMs: number): ReferenceEngine {
  const admission = new Admission(latenessMs);
  const lastSeen = new Map<string, number>();
  return (e) => {
    const t = e.time_ms;
    if (!admission.admit(t)) return undefined;
    let firstNew: string[] | undefined;
    for (const term of termsOf(e, spec.fields)) {
      const key = JSON.stringify(term);
      const last = lastSeen.get(key);
      if (last === undefined || t - last >= historyMs) firstNew ??= term;
      lastSeen.set(key, Math.max(last ?? -Infinity, t));
    }
    if (firstNew === undefined) return undefined;
    return {
      event: e,
      group: Object.fromEntries(spec.fields.map((f, i) => [f, firstNew[i]!])),
      summary: `called ${e.operation}, the first time in ${formatDuration(historyMs)} for this ${spec.fields.join(' and ')}`,
      measures: { history_seconds: historyMs / 1000, terms: firstNew },
    };
  };
}

type TimeOfDaySpec = Extract<EngineSpec, { type: 'time_of_day' }>;

/** time_of_day: outside [start, end) UTC (start > end spans midnight, start = end: never working), or a day off. */
function timeOfDayEngine(spec: TimeOfDaySpec): ReferenceEngine {
  const [start, end] = spec.working_hours_utc;
  return (e) => {
    if (!Number.isFinite(e.time_ms)) return undefined;
    const d = new Date(e.time_ms);
    const hour = d.getUTCHours();
    const weekday = d.getUTCDay();
    const working = start < end ? hour >= start && hour < end : start > end ? hour >= start || hour < end : false;
    const dayOff = spec.days_off.includes(weekday);
    if (working && !dayOff) return undefined;
    const clock = `${String(hour).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
    const why = dayOff ? `on a ${DAY_NAMES[weekday]}, a day off` : `outside working hours (${start}:00-${end}:00 UTC)`;
    return { event: e, group: {}, summary: `accessed a secret at ${clock} ${why}`, measures: { hour_utc: hour, weekday } };
  };
}

/** The reference engine for a rule's `engine` section. */
export function referenceEngine(spec: EngineSpec, windowMs: number, latenessMs: number): ReferenceEngine {
  switch (spec.type) {
    case 'match':
      return (e) => ({ event: e, group: {}, summary: `called ${e.operation}`, measures: {} });
    case 'time_of_day':
      return timeOfDayEngine(spec);
    case 'threshold':
      return thresholdEngine(spec, windowMs, latenessMs);
    case 'sequence':
      return sequenceEngine(spec, windowMs, latenessMs);
    case 'multi_provider':
      return multiProviderEngine(spec, windowMs, latenessMs);
    case 'new_terms':
      return newTermsEngine(spec, windowMs, latenessMs);
  }
}
