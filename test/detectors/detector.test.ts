import { describe, expect, it } from 'vitest';
import { Detector } from '../../detectors/detector.js';
import { compileRule } from '../../detectors/ruleset/load-rules.js';
import { ruleSchema } from '../../detectors/ruleset/rule-schema.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { minimalRule } from './ruleset/rule-fixture.js';

const T0 = Date.UTC(2026, 0, 5, 12);

function rule(overrides: Record<string, unknown>) {
  return compileRule(ruleSchema.parse({ ...minimalRule('t'), ...overrides }), 't.yaml');
}

function read(i: number, overrides: Partial<SecretAccessEvent> = {}): SecretAccessEvent {
  const time_ms = overrides.time_ms ?? T0 + i * 60_000;
  return {
    time: new Date(time_ms).toISOString(),
    time_ms,
    provider: 'aws',
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    action: 'read',
    outcome: 'success',
    principal: { id: 'arn:aws:iam::111111111111:user/alice', type: 'user', class: 'standard' },
    source: { ip: '198.51.100.10' },
    cloud: { account: '111111111111', region: 'us-east-1' },
    secrets: ['arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db'],
    event_id: `e${i}`,
    raw: { source: 'test', index: i, format: 'test' },
    ...overrides,
  };
}

const clock = (): number => T0 + 10 * 86_400_000;

describe('Detector', () => {
  it('throttles per key in event time, also for late events', () => {
    const d = new Detector({ rules: [rule({ throttle: { group_by: ['principal.id'], duration: '2h' } })], clock });
    const times = [0, 30, 10, 119, 121]; // minutes; 10 arrives late
    const fired = times.map((m, i) => d.process(read(i, { time_ms: T0 + m * 60_000 })).length);
    expect(fired).toEqual([1, 0, 0, 0, 1]);
    expect(d.stats().t?.throttled).toBe(3);
  });

  it('stays silent during the learning period, counted, then alerts', () => {
    const d = new Detector({ rules: [rule({ learning_period: '24h' })], clock });
    expect(d.process(read(0)).length).toBe(0);
    expect(d.process(read(1, { time_ms: T0 + 23 * 3_600_000 })).length).toBe(0);
    expect(d.process(read(2, { time_ms: T0 + 24 * 3_600_000 })).length).toBe(1);
    expect(d.stats().t?.suppressed_learning).toBe(2);
  });

  it('measures learning over events scored: a record refused as late does not end the learning period (issue 9.3)', () => {
    const newSource = rule({ engine: { type: 'new_terms', fields: ['principal.id', 'source.ip'], history: '30d' } });
    const run = (withOldRecord: boolean): number => {
      const d = new Detector({ rules: [newSource], clock });
      let alerts = 0;
      alerts += d.process(read(0)).length;
      alerts += d.process(read(1, { time_ms: T0 + 2 * 3_600_000 })).length;
      // 48 h older than the newest: late, counted by the engine and not scored.
      if (withOldRecord) alerts += d.process(read(2, { time_ms: T0 - 46 * 3_600_000 })).length;
      // New pairs, still within 24 h of the first event scored: learning.
      for (let i = 0; i < 5; i++) alerts += d.process(read(10 + i, { time_ms: T0 + (3 + i) * 3_600_000, source: { ip: `203.0.113.${i}` } })).length;
      if (withOldRecord) expect(d.stats().t?.engine.late_events).toBe(1);
      return alerts;
    };
    expect(run(false)).toBe(0);
    expect(run(true)).toBe(0);
  });

  it('keeps the newest time scored across a snapshot, so a late record after a restart does not move learning either', () => {
    const newSource = rule({ engine: { type: 'new_terms', fields: ['principal.id', 'source.ip'], history: '30d' } });
    const first = new Detector({ rules: [newSource], clock });
    first.process(read(0));
    first.process(read(1, { time_ms: T0 + 2 * 3_600_000 }));
    const snapshot = first.snapshot();
    expect(snapshot.rules[0]?.latest_ms).toBe(T0 + 2 * 3_600_000);
    const second = new Detector({ rules: [newSource], clock });
    second.restore(snapshot);
    second.process(read(2, { time_ms: T0 - 46 * 3_600_000 }));
    expect(second.process(read(3, { time_ms: T0 + 3 * 3_600_000, source: { ip: '203.0.113.9' } }))).toHaveLength(0);
  });

  it('skips learning when told learning is complete', () => {
    const d = new Detector({ rules: [rule({ learning_period: '24h' })], clock, learningCompleteAt: Number.NEGATIVE_INFINITY });
    expect(d.process(read(0)).length).toBe(1);
  });

  it('counts excepted events and does not score them', () => {
    const d = new Detector({ rules: [rule({ exceptions: { principals: ['arn:aws:iam::111111111111:user/alice'] } })], clock });
    expect(d.process(read(0)).length).toBe(0);
    expect(d.process(read(1, { principal: { id: 'bob', type: 'user', class: 'standard' } })).length).toBe(1);
    expect(d.stats().t).toMatchObject({ excepted: 1, matched: 1, alerts: 1 });
  });

  it('drops events stamped far ahead of the clock instead of letting them advance every window', () => {
    const d = new Detector({ rules: [rule({})], clock });
    expect(d.process(read(0, { time_ms: clock() + 2 * 3_600_000 })).length).toBe(0);
    expect(d.futureEvents).toBe(1);
    expect(d.process(read(1)).length).toBe(1);
  });

  it('ignores disabled rules', () => {
    const d = new Detector({ rules: [rule({ enabled: false })], clock });
    expect(d.ruleIds()).toEqual([]);
    expect(d.process(read(0))).toEqual([]);
  });

  it('restores its state from a snapshot and keeps throttling', () => {
    const spec = { throttle: { group_by: ['principal.id'], duration: '2h' } };
    const a = new Detector({ rules: [rule(spec)], clock });
    expect(a.process(read(0)).length).toBe(1);
    const b = new Detector({ rules: [rule(spec)], clock });
    expect(b.restore(a.snapshot())).toEqual({ restored: ['t'], fresh: [] });
    expect(b.process(read(1)).length).toBe(0);
    const changed = new Detector({ rules: [rule({ ...spec, version: 2 })], clock });
    expect(changed.restore(a.snapshot())).toEqual({ restored: [], fresh: [{ id: 't', reason: 'rule version 2, state of version 1' }] });
    expect(changed.process(read(1)).length).toBe(1);
  });

  it('starts a rule fresh when its engine state cannot be read by this build, and restores the others', () => {
    const counting = (window: string) =>
      compileRule(
        ruleSchema.parse({ ...minimalRule('c'), engine: { type: 'threshold', group_by: ['principal.id'], window, count_above: 1 } }),
        'c.yaml',
      );
    const spec = { throttle: { group_by: ['principal.id'], duration: '2h' } };
    const a = new Detector({ rules: [rule(spec), counting('1h')], clock });
    a.process(read(0));
    // Same id and version, another window: the saved sketches do not fit (SW_STATE_INCOMPATIBLE).
    const b = new Detector({ rules: [rule(spec), counting('2h')], clock });
    const result = b.restore(a.snapshot());
    expect(result.restored).toEqual(['t']);
    expect(result.fresh).toEqual([{ id: 'c', reason: expect.stringMatching(/engine snapshot does not fit this engine/) }]);
    expect(b.process(read(1)).length).toBe(0); // 't' kept its throttle; 'c' counts from zero (1 read is not > 1)
    // A damaged snapshot still fails loudly.
    const damaged = a.snapshot();
    damaged.rules[1]!.engine = damaged.rules[1]!.engine.slice(0, 20);
    expect(() => new Detector({ rules: [rule(spec), counting('1h')], clock }).restore(damaged)).toThrow(
      expect.objectContaining({ code: 'SW_STATE_CORRUPT' }),
    );
  });

  it('builds alerts with the OpenTelemetry attributes and a stable id', () => {
    const make = () => new Detector({ rules: [rule({})], clock }).process(read(0))[0];
    const alert = make();
    expect(alert).toMatchObject({
      time: new Date(T0).toISOString(),
      severity_text: 'MEDIUM',
      severity_number: 13,
      attributes: {
        'security_rule.name': 't',
        'security_rule.ruleset.name': 'secretwatch',
        'cloud.provider': 'aws',
        'cloud.account.id': '111111111111',
        'cloud.region': 'us-east-1',
        'user.id': 'arn:aws:iam::111111111111:user/alice',
        'client.address': '198.51.100.10',
      },
    });
    expect(alert?.attributes['secretwatch.alert.id']).toMatch(/^[0-9a-f]{32}$/);
    expect(make()?.attributes['secretwatch.alert.id']).toBe(alert?.attributes['secretwatch.alert.id']);
    expect(alert?.body).toMatch(/^Test rule: arn:aws:iam::111111111111:user\/alice .* from 198\.51\.100\.10 \(aws account 111111111111\)/);
  });
});
