import type { Alert } from '../../../detectors/alerts/alert.js';
import { Detector } from '../../../detectors/detector.js';
import { fieldValue, type RuleField } from '../../../detectors/ruleset/field-path.js';
import type { LoadedRule } from '../../../detectors/ruleset/load-rules.js';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { ReferenceDetector } from '../reference-detector.js';
import type { DiffStream } from './streams.js';

/**
 * Runs the production Detector and the exact ReferenceDetector side by side on one stream and
 * compares their alerts event by event: rule, event, time, group and the measures (count,
 * distinct, failures, providers, terms; see sameAlert for the one allowance). The clock both see reads the newest event time before
 * the event (a sidecar's clock moves with the stream).
 */

/** The measures compared, in this order. */
const MEASURES = ['count', 'distinct_secrets', 'distinct_values', 'failures', 'providers', 'terms'];

/** What is compared of an alert, as one line of text. */
export function alertLine(alert: Alert): string {
  const a = alert.attributes;
  const parts = [String(a['security_rule.name']), `event ${String(a['secretwatch.source']).split('#').pop()}`, alert.time];
  for (const [name, value] of Object.entries(a).sort(([x], [y]) => x.localeCompare(y))) {
    if (name.startsWith('secretwatch.group.')) parts.push(`${name.slice('secretwatch.group.'.length)}=${String(value)}`);
  }
  for (const m of MEASURES) {
    const value = a[`secretwatch.${m}`];
    if (value !== undefined) parts.push(`${m}=${Array.isArray(value) ? value.join('+') : String(value)}`);
  }
  for (const flag of LOWER_BOUNDS) if (a[`secretwatch.${flag}_is_lower_bound`] === true) parts.push(`${flag}_is_lower_bound`);
  return parts.join(' ');
}

/** Measures an engine may flag as lower bounds (its record had to forget entries past its cap). */
const LOWER_BOUNDS = ['count', 'failures'] as const;

/**
 * True when the Detector's alert says what the reference's says. One allowance, the engines'
 * documented one: a count or failures measure they flag as a lower bound (`count_is_lower_bound`,
 * `failures_is_lower_bound`: the group's record had to forget entries past its cap) may be below
 * the exact one, never above it.
 */
export function sameAlert(production: Alert, reference: Alert): boolean {
  const p = production.attributes;
  const r = reference.attributes;
  let pLine = alertLine(production);
  let rLine = alertLine(reference);
  for (const m of LOWER_BOUNDS) {
    if (p[`secretwatch.${m}_is_lower_bound`] !== true) continue;
    if (!(Number(p[`secretwatch.${m}`]) <= Number(r[`secretwatch.${m}`]))) return false;
    const drop = (line: string) => line.replace(new RegExp(` ${m}=\\d+`), '').replace(` ${m}_is_lower_bound`, '');
    pLine = drop(pLine);
    rLine = drop(rLine);
  }
  return pLine === rLine;
}

export interface Mismatch {
  stream: string;
  seed: number;
  rule: string;
  /** Index of the event in the stream (arrival order). */
  index: number;
  production: string | undefined;
  reference: string | undefined;
}

export interface StreamResult {
  events: number;
  /** Alerts of both detectors, matched or not. */
  alerts: number;
  mismatches: Mismatch[];
}

function byRule(alerts: readonly Alert[]): Map<string, Alert> {
  return new Map(alerts.map((a) => [String(a.attributes['security_rule.name']), a]));
}

export function runStream(stream: DiffStream, rules: readonly LoadedRule[]): StreamResult {
  let now = stream.events[0]?.time_ms ?? 0;
  const options = { rules: [...rules], clock: () => now, ...(stream.allowedLatenessMs !== undefined ? { allowedLatenessMs: stream.allowedLatenessMs } : {}) };
  const production = new Detector(options);
  const reference = new ReferenceDetector(options);
  const result: StreamResult = { events: stream.events.length, alerts: 0, mismatches: [] };
  stream.events.forEach((event, index) => {
    const got = byRule(production.process(event));
    const want = byRule(reference.process(event));
    now = Math.max(now, event.time_ms);
    result.alerts += got.size + want.size;
    for (const rule of new Set([...got.keys(), ...want.keys()])) {
      const p = got.get(rule);
      const r = want.get(rule);
      if (p === undefined || r === undefined || !sameAlert(p, r)) {
        const line = (a: Alert | undefined): string | undefined => (a === undefined ? undefined : alertLine(a));
        result.mismatches.push({ stream: stream.name, seed: stream.seed, rule, index, production: line(p), reference: line(r) });
      }
    }
  });
  return result;
}

/** The fields that make a rule's group (what the description shows events of). */
function groupFields(rule: LoadedRule): readonly RuleField[] {
  const engine = rule.spec.engine;
  if (engine.type === 'new_terms') return engine.fields;
  if ('group_by' in engine) return engine.group_by;
  return rule.spec.throttle?.group_by ?? ['principal.id'];
}

function describeEvent(stream: DiffStream, e: SecretAccessEvent, index: number, t: number): string {
  // The group's principal and IP are in the heading: show what else the event says.
  const { principal, source, ...rest } = stream.specs[index]!.spec;
  const spec = {
    ...(principal !== undefined && Object.keys(principal).join() !== 'id' ? { principal } : {}),
    ...(source !== undefined && Object.keys(source).join() !== 'ip' ? { source } : {}),
    ...rest,
  };
  const when = `${e.time} (${e.time_ms - t >= 0 ? '+' : ''}${e.time_ms - t} ms)`;
  return `    #${index} ${when} ${JSON.stringify(spec)}`;
}

/**
 * A readable account of one mismatch: the seed and stream, both alerts, and the events of the
 * group within two windows before and one after, in arrival order (late ones show as a time
 * earlier than an event listed before them).
 */
export function describeMismatch(stream: DiffStream, rules: readonly LoadedRule[], m: Mismatch, maxLines = 40): string {
  const rule = rules.find((r) => r.spec.id === m.rule)!;
  const event = stream.events[m.index]!;
  const t = event.time_ms;
  const span = rule.windowMs ?? rule.throttleMs ?? 3_600_000;
  const fields = groupFields(rule);
  const same = (e: SecretAccessEvent): boolean => fields.every((f) => fieldValue(e, f) === fieldValue(event, f));
  const lines: string[] = [];
  stream.events.forEach((e, i) => {
    if (same(e) && e.time_ms > t - 2 * span - 1000 && e.time_ms <= t + span && i <= m.index + 3) lines.push(describeEvent(stream, e, i, t));
  });
  const shown = lines.length > maxLines ? [`    ... ${lines.length - maxLines} earlier events`, ...lines.slice(-maxLines)] : lines;
  return [
    `seed ${m.seed}, stream "${m.stream}" (allowed lateness ${stream.allowedLatenessMs ?? 'default'}), rule ${m.rule}, event #${m.index} at ${event.time}`,
    `  production: ${m.production ?? 'no alert'}`,
    `  reference:  ${m.reference ?? 'no alert'}`,
    `  events of the group (${fields.map((f) => `${f}=${fieldValue(event, f) ?? '-'}`).join(', ')}), arrival order, time relative to #${m.index}:`,
    ...shown,
  ].join('\n');
}

/** `<stream kind> <rule> <missing|extra|differs>: n` lines, most frequent first. */
export function summarizeMismatches(mismatches: readonly Mismatch[]): string[] {
  const counts = new Map<string, number>();
  for (const m of mismatches) {
    const what = m.production === undefined ? 'missing in production' : m.reference === undefined ? 'extra in production' : 'measures differ';
    const key = `${m.stream.split(' ')[0]} stream, ${m.rule}: ${what}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key}: ${n}`);
}
