import { describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import type { Alert } from '../../../detectors/alerts/alert.js';
import { compileRule, type LoadedRule } from '../../../detectors/ruleset/load-rules.js';
import { ruleSchema } from '../../../detectors/ruleset/rule-schema.js';
import {
  assertRuleTestsPassed,
  formatRuleTestFailures,
  runRuleTests,
  type RuleTestDetectorOptions,
} from '../../../detectors/ruleset/run-rule-tests.js';
import { isSecretwatchError } from '../../../src/errors/codes.js';
import { ReferenceDetector } from '../../support/reference-detector.js';
import { minimalRule } from './rule-fixture.js';

function rule(tests: unknown[], overrides: Record<string, unknown> = {}): LoadedRule {
  const spec = ruleSchema.parse({ ...minimalRule('r'), ...overrides, tests });
  return compileRule(spec, '/rules/r.yaml');
}

/** A detector that alerts on the events whose raw index is listed, recording what it was given. */
class Scripted {
  seen: SecretAccessEvent[] = [];
  observedTimes: number[] = [];
  constructor(
    readonly options: RuleTestDetectorOptions,
    private readonly fireOn: number[],
    private readonly attributes: Record<string, string> = {},
  ) {}
  process(event: SecretAccessEvent): Alert[] {
    this.seen.push(event);
    this.observedTimes.push(this.options.clock());
    if (!this.fireOn.includes(event.raw.index)) return [];
    return [
      {
        time: event.time,
        observed_time: event.time,
        severity_text: 'MEDIUM',
        severity_number: 13,
        body: 'x',
        attributes: { 'secretwatch.source': `${event.raw.source}#${event.raw.index}`, 'user.id': event.principal.id, ...this.attributes },
      },
    ];
  }
  flush(): Alert[] {
    return [];
  }
}

describe('runRuleTests', () => {
  it('passes when the alerts fire on the expected events', () => {
    const r = rule([{ name: 'two', events: [{ repeat: 3 }], expect: [{ at_event: 0 }, { at_event: 2 }] }]);
    const [result] = runRuleTests([r], (o) => new Scripted(o, [0, 2]));
    expect(result).toMatchObject({ rule: 'r', file: '/rules/r.yaml', test: 'two', passed: true, failures: [] });
    expect(result?.alerts.map((a) => a.at_event)).toEqual([0, 2]);
  });

  it('says which event was expected and which one fired', () => {
    const r = rule([{ name: 'off by one', events: [{ repeat: 51 }], expect: [{ at_event: 50 }] }]);
    const [result] = runRuleTests([r], (o) => new Scripted(o, [49]));
    expect(result?.passed).toBe(false);
    expect(result?.failures).toEqual(['alert 1: expected at event 50, got at event 49']);
  });

  it('reports missing and extra alerts with where they fired', () => {
    const r = rule([
      { name: 'silent', events: [{ repeat: 3 }], expect: [] },
      { name: 'missing', events: [{ repeat: 3 }], expect: [{ at_event: 1 }] },
    ]);
    const results = runRuleTests([r], (o) => new Scripted(o, [0, 2]));
    expect(results[0]?.failures).toEqual(['expected 0 alerts, got 2 (at event 0, at event 2)']);
    expect(results[1]?.failures).toEqual([
      'expected 1 alert (at event 1), got 2 (at event 0, at event 2)',
      'alert 1: expected at event 1, got at event 0',
    ]);
    expect(formatRuleTestFailures(results).split('\n')[0]).toBe('r / silent: expected 0 alerts, got 2 (at event 0, at event 2)');
  });

  it('checks attributes, comparing numbers written as text', () => {
    const r = rule([
      { name: 'attrs', events: [{}], expect: [{ at_event: 0, attributes: { 'user.id': 'someone-else', 'secretwatch.count': 51 } }] },
    ]);
    const [result] = runRuleTests([r], (o) => new Scripted(o, [0], { 'secretwatch.count': '51' }));
    expect(result?.failures).toEqual([
      'alert 1: attribute user.id: expected "someone-else", got "arn:aws:iam::111111111111:user/test"',
    ]);
  });

  it('gives each test a fresh detector with only its rule, a clock at event time, and learning skipped', () => {
    const detectors: Scripted[] = [];
    const r = rule([
      { name: 'a', events: [{}, { at: '+1h' }], expect: [] },
      { name: 'b', learning: true, events: [{}], expect: [] },
    ]);
    runRuleTests([r], (o) => {
      const d = new Scripted(o, []);
      detectors.push(d);
      return d;
    });
    expect(detectors).toHaveLength(2);
    expect(detectors[0]?.options.rules).toEqual([r]);
    expect(detectors[0]?.options.learningCompleteAt).toBe(-Infinity);
    expect(detectors[0]?.observedTimes).toEqual([Date.UTC(2026, 0, 5, 12), Date.UTC(2026, 0, 5, 13)]);
    expect('learningCompleteAt' in (detectors[1]?.options ?? {})).toBe(false);
    expect(detectors[1]?.seen).toHaveLength(1);
  });

  it('turns a throwing detector into a failed test', () => {
    const r = rule([{ name: 'boom', events: [{}], expect: [] }]);
    const [result] = runRuleTests([r], () => ({
      process: () => {
        throw new TypeError('engine exploded');
      },
      flush: () => [],
    }));
    expect(result?.failures).toEqual(['threw TypeError: engine exploded']);
  });

  it('assertRuleTestsPassed throws SW_RULE_TEST_FAILED listing the failures', () => {
    const r = rule([{ name: 'x', events: [{}], expect: [{ at_event: 0 }] }]);
    const results = runRuleTests([r], (o) => new Scripted(o, []));
    try {
      assertRuleTestsPassed(results);
      expect.unreachable();
    } catch (err) {
      expect(isSecretwatchError(err) && err.code).toBe('SW_RULE_TEST_FAILED');
      expect((err as Error).message).toBe('1 of 1 rule tests failed:\n  r / x: expected 1 alert (at event 0), got 0 (none)');
    }
    expect(() => assertRuleTestsPassed(runRuleTests([r], (o) => new Scripted(o, [0])))).not.toThrow();
  });

  it('runs a real rule end to end on the reference detector, learning period included', () => {
    const r = rule(
      [
        { name: 'skipped learning', events: [{}, { at: '+1h' }, { at: '+2h', principal: { id: 'b' } }], expect: [{ at_event: 0 }, { at_event: 2 }] },
        { name: 'with learning', learning: true, events: [{}, { at: '+2h', principal: { id: 'b' } }, { at: '+25h', principal: { id: 'c' } }], expect: [{ at_event: 2 }] },
      ],
      { engine: { type: 'new_terms', fields: ['principal.id'], history: '10d' }, learning_period: '24h' },
    );
    const results = runRuleTests([r], (o) => new ReferenceDetector(o));
    expect(results.map((x) => x.failures)).toEqual([[], []]);
  });
});
