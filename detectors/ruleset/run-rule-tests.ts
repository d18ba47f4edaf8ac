import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Alert, AlertAttributeValue } from '../alerts/alert.js';
import { SecretwatchError } from '../../src/errors/codes.js';
import type { LoadedRule } from './load-rules.js';
import type { RuleTestSpec } from './rule-schema.js';
import { expandTestEvents } from './test-events.js';

/**
 * Runs the inline tests of rules (Panther-style: each test lists events and the alerts they must
 * produce, in order; an empty `expect` means the rule must stay silent).
 *
 * Each test gets a fresh detector holding only its rule, fed the expanded events in the order
 * written. The clock reads the time of the event being processed (as if the sidecar saw each
 * event the moment it happened); `flush()` runs after the last event. Learning periods are
 * treated as already over (`learningCompleteAt: -Infinity`) unless the test says `learning: true`.
 */

/** What the runner needs of a Detector (detectors/detector.ts). */
export interface RuleTestDetector {
  process(event: SecretAccessEvent): readonly Alert[];
  flush(): Alert[];
}

export interface RuleTestDetectorOptions {
  rules: LoadedRule[];
  clock: () => number;
  /** Epoch ms at which learning periods end; `-Infinity` = no learning. Absent: the detector's own rule. */
  learningCompleteAt?: number;
}

export type MakeDetector = (options: RuleTestDetectorOptions) => RuleTestDetector;

export interface ObservedAlert {
  /** Index of the test event the alert fired on, from the alert's `secretwatch.source` attribute. */
  at_event: number | undefined;
  alert: Alert;
}

export interface RuleTestResult {
  rule: string;
  file: string;
  test: string;
  passed: boolean;
  /** One sentence per mismatch; empty when passed. */
  failures: string[];
  alerts: ObservedAlert[];
}

/** The event index an alert points at: `secretwatch.source` is `<raw.source>#<raw.index>`. */
function eventIndexOf(alert: Alert, source: string): number | undefined {
  const pointer = alert.attributes['secretwatch.source'];
  if (typeof pointer !== 'string') return undefined;
  const hash = pointer.lastIndexOf('#');
  if (hash < 0 || pointer.slice(0, hash) !== source) return undefined;
  const index = Number(pointer.slice(hash + 1));
  return Number.isInteger(index) ? index : undefined;
}

function sameValue(actual: AlertAttributeValue | undefined, expected: string | number | boolean): boolean {
  if (actual === undefined) return false;
  if (Array.isArray(actual)) return actual.join(',') === String(expected);
  if (typeof actual === typeof expected) return actual === expected;
  // YAML may spell a number as text or the reverse; compare as text rather than fail on the type.
  return String(actual) === String(expected);
}

function show(value: AlertAttributeValue | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function describeAlerts(alerts: readonly ObservedAlert[]): string {
  if (alerts.length === 0) return 'none';
  return alerts.map((a) => (a.at_event === undefined ? `at ${a.alert.time}` : `at event ${a.at_event}`)).join(', ');
}

/** Compares the alerts a test produced with its `expect` list. */
export function compareAlerts(test: RuleTestSpec, observed: readonly ObservedAlert[]): string[] {
  const failures: string[] = [];
  const expected = test.expect;
  if (observed.length !== expected.length) {
    const wanted = expected.map((e) => (e.at_event === undefined ? 'any event' : `event ${e.at_event}`)).join(', ');
    failures.push(
      `expected ${expected.length} alert${expected.length === 1 ? '' : 's'}${expected.length > 0 ? ` (at ${wanted})` : ''}, got ${observed.length} (${describeAlerts(observed)})`,
    );
  }
  const n = Math.min(observed.length, expected.length);
  for (let k = 0; k < n; k++) {
    const want = expected[k] as RuleTestSpec['expect'][number];
    const got = observed[k] as ObservedAlert;
    if (want.at_event !== undefined && got.at_event !== want.at_event) {
      failures.push(
        got.at_event === undefined
          ? `alert ${k + 1}: expected at event ${want.at_event}, but the alert does not point at a test event (secretwatch.source = ${show(got.alert.attributes['secretwatch.source'])})`
          : `alert ${k + 1}: expected at event ${want.at_event}, got at event ${got.at_event}`,
      );
    }
    for (const [name, value] of Object.entries(want.attributes ?? {})) {
      const actual = got.alert.attributes[name];
      if (!sameValue(actual, value)) failures.push(`alert ${k + 1}: attribute ${name}: expected ${JSON.stringify(value)}, got ${show(actual)}`);
    }
  }
  return failures;
}

function runOne(rule: LoadedRule, test: RuleTestSpec, makeDetector: MakeDetector): RuleTestResult {
  const base = { rule: rule.spec.id, file: rule.file, test: test.name };
  const source = `rule-test:${rule.spec.id}/${test.name}`;
  const observed: ObservedAlert[] = [];
  try {
    const events = expandTestEvents(rule.spec.id, test);
    let now = events[0]?.time_ms ?? 0;
    const options: RuleTestDetectorOptions = { rules: [rule], clock: () => now };
    if (test.learning !== true) options.learningCompleteAt = -Infinity;
    const detector = makeDetector(options);
    const collect = (alerts: readonly Alert[]): void => {
      for (const alert of alerts) observed.push({ at_event: eventIndexOf(alert, source), alert });
    };
    for (const event of events) {
      now = event.time_ms;
      collect(detector.process(event));
    }
    collect(detector.flush());
  } catch (err) {
    return { ...base, passed: false, failures: [`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`], alerts: observed };
  }
  const failures = compareAlerts(test, observed);
  return { ...base, passed: failures.length === 0, failures, alerts: observed };
}

/** Runs every inline test of every rule, each on a fresh detector holding only that rule. */
export function runRuleTests(rules: readonly LoadedRule[], makeDetector: MakeDetector): RuleTestResult[] {
  const results: RuleTestResult[] = [];
  for (const rule of rules) for (const test of rule.spec.tests) results.push(runOne(rule, test, makeDetector));
  return results;
}

/** `<rule> / <test>: <failure>` lines for the failed tests. */
export function formatRuleTestFailures(results: readonly RuleTestResult[]): string {
  const lines: string[] = [];
  for (const r of results) if (!r.passed) for (const f of r.failures) lines.push(`${r.rule} / ${r.test}: ${f}`);
  return lines.join('\n');
}

/** Throws SW_RULE_TEST_FAILED listing every failure, when any test failed. */
export function assertRuleTestsPassed(results: readonly RuleTestResult[]): void {
  const failed = results.filter((r) => !r.passed);
  if (failed.length === 0) return;
  throw new SecretwatchError(
    'SW_RULE_TEST_FAILED',
    `${failed.length} of ${results.length} rule tests failed:\n${formatRuleTestFailures(failed)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}`,
  );
}
