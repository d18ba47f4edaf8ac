import { describe, expect, it } from 'vitest';
import { alertId } from '../../../detectors/alerts/alert-id.js';
import { ALERT_BOUNDS, truncateUtf8 } from '../../../detectors/alerts/alert-bounds.js';
import { buildAlert } from '../../../detectors/alerts/build-alert.js';
import type { Finding } from '../../../detectors/engines/engine.js';
import { compileRule } from '../../../detectors/ruleset/load-rules.js';
import { ruleSchema } from '../../../detectors/ruleset/rule-schema.js';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { event, T0 } from '../engines/events.js';
import { minimalRule } from '../ruleset/rule-fixture.js';

const spec = compileRule(ruleSchema.parse(minimalRule('t')), 't.yaml').spec;

/** The engines' test event, with a user agent and an event id. */
function read(overrides: Partial<SecretAccessEvent> = {}): SecretAccessEvent {
  const base = event({ at: T0 });
  return { ...base, source: { ...base.source, user_agent: 'aws-cli/2.15.0' }, event_id: 'e1', ...overrides };
}

function finding(event: SecretAccessEvent, measures: Finding['measures'] = {}): Finding {
  return { event, group: { 'principal.id': event.principal.id }, summary: `called ${event.operation}`, measures };
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('buildAlert: size bounds', () => {
  it('leaves an ordinary alert whole and unflagged', () => {
    const alert = buildAlert(spec, finding(read()), T0);
    expect(alert.attributes['user_agent.original']).toBe('aws-cli/2.15.0');
    expect(alert.attributes['secretwatch.alert.truncated']).toBeUndefined();
    expect(alert.attributes['secretwatch.alert.truncated_attributes']).toBeUndefined();
  });

  it('cuts a 6 MiB user agent, a huge principal and huge secret ids to their bounds and says which', () => {
    const principal = `arn:aws:iam::111111111111:user/${'p'.repeat(100_000)}`;
    const event = read({
      principal: { id: principal, type: 'user', class: 'standard', session_name: 's'.repeat(5000) },
      source: { ip: '198.51.100.7', user_agent: 'A'.repeat(6 * 1024 * 1024) },
      secrets: Array.from({ length: 50 }, (_, i) => `secret-${i}-${'x'.repeat(3000)}`),
    });
    const alert = buildAlert(spec, finding(event), T0);
    const a = alert.attributes;
    expect(utf8(a['user_agent.original'] as string)).toBeLessThanOrEqual(ALERT_BOUNDS.value_bytes);
    expect(a['user_agent.original']).toMatch(/^A+\.\.\.$/);
    expect(utf8(a['user.id'] as string)).toBeLessThanOrEqual(ALERT_BOUNDS.value_bytes);
    const samples = a['secretwatch.sample_secrets'] as string[];
    expect(samples).toHaveLength(ALERT_BOUNDS.array_items);
    for (const s of samples) expect(utf8(s)).toBeLessThanOrEqual(ALERT_BOUNDS.value_bytes);
    expect(a['secretwatch.alert.truncated']).toBe(true);
    expect(new Set(a['secretwatch.alert.truncated_attributes'] as string[])).toEqual(
      new Set(['user_agent.original', 'user.id', 'secretwatch.principal.session_name', 'secretwatch.group.principal.id', 'secretwatch.sample_secrets']),
    );
    expect(utf8(alert.body)).toBeLessThanOrEqual(ALERT_BOUNDS.body_bytes);
    expect(utf8(JSON.stringify(alert))).toBeLessThan(64 * 1024);
  });

  it('computes the alert id from the whole values, as before any cut', () => {
    const principal = `arn:aws:iam::111111111111:user/${'p'.repeat(5000)}`;
    const event = read({ principal: { id: principal, type: 'user', class: 'standard' } });
    const alert = buildAlert(spec, finding(event), T0);
    expect(alert.attributes['secretwatch.alert.id']).toBe(alertId('t', { 'principal.id': principal }, 'e1'));
    // Two principals that differ only past the cut still get two ids.
    const other = buildAlert(spec, finding(read({ principal: { id: `${principal}2`, type: 'user', class: 'standard' } })), T0);
    expect(other.attributes['user.id']).toBe(alert.attributes['user.id']);
    expect(other.attributes['secretwatch.alert.id']).not.toBe(alert.attributes['secretwatch.alert.id']);
  });

  it('bounds string values a finding measures, and never the rule text', () => {
    const alert = buildAlert(spec, finding(read(), { terms: ['t'.repeat(4000)] }), T0);
    expect(utf8((alert.attributes['secretwatch.terms'] as string[])[0] as string)).toBeLessThanOrEqual(ALERT_BOUNDS.value_bytes);
    expect(alert.attributes['secretwatch.alert.truncated_attributes']).toEqual(['secretwatch.terms']);
    expect(alert.attributes['security_rule.description']).toBe(spec.description.trim());
  });
});

describe('truncateUtf8', () => {
  it('never splits a character and marks the cut', () => {
    const text = '€'.repeat(1000); // 3 bytes each
    const cut = truncateUtf8(text, 100);
    expect(utf8(cut)).toBeLessThanOrEqual(100);
    expect(cut).toBe(`${'€'.repeat(32)}...`);
    expect(truncateUtf8('😀'.repeat(10), 10)).toBe('😀...');
    expect(truncateUtf8('short', 100)).toBe('short');
  });
});
