import { describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { compileMatch } from '../../../detectors/ruleset/compile-match.js';
import { matchSchema } from '../../../detectors/ruleset/rule-schema.js';

function event(overrides: Partial<SecretAccessEvent> = {}): SecretAccessEvent {
  return {
    time: '2026-01-05T12:00:00.000Z',
    time_ms: Date.UTC(2026, 0, 5, 12),
    provider: 'aws',
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    action: 'read',
    outcome: 'success',
    principal: { id: 'arn:aws:iam::111111111111:user/alice', type: 'user', class: 'standard' },
    source: { ip: '198.51.100.10', user_agent: 'aws-cli/2.15.0' },
    cloud: { account: '111111111111', region: 'us-east-1' },
    secrets: ['s1', 's2'],
    raw: { source: 'test', index: 0, format: 'test' },
    ...overrides,
  };
}

/** Compiles a match written as it would be in a rule file (through the schema, like the loader). */
function compile(spec: unknown): (e: SecretAccessEvent) => boolean {
  return compileMatch(matchSchema.parse(spec));
}

describe('compileMatch', () => {
  it('takes every event when the match is empty', () => {
    expect(compile({})(event())).toBe(true);
  });

  it('compares a scalar exactly and case-sensitively', () => {
    const p = compile({ operation: 'GetSecretValue' });
    expect(p(event())).toBe(true);
    expect(p(event({ operation: 'getsecretvalue' }))).toBe(false);
    expect(p(event({ operation: 'GetSecretValueX' }))).toBe(false);
  });

  it('ANDs the listed fields', () => {
    const p = compile({ action: 'read', outcome: 'success' });
    expect(p(event())).toBe(true);
    expect(p(event({ outcome: 'failure' }))).toBe(false);
    expect(p(event({ action: 'list' }))).toBe(false);
  });

  it('treats a list and any_of as "one of"', () => {
    for (const spec of [{ operation: ['GetParameter', 'GetSecretValue'] }, { operation: { any_of: ['GetParameter', 'GetSecretValue'] } }]) {
      const p = compile(spec);
      expect(p(event())).toBe(true);
      expect(p(event({ operation: 'ListSecrets' }))).toBe(false);
    }
  });

  it('compares booleans and numbers as text', () => {
    const p = compile({ decrypted: true });
    expect(p(event({ decrypted: true }))).toBe(true);
    expect(p(event({ decrypted: false }))).toBe(false);
    expect(p(event())).toBe(false);
    expect(compile({ error_code: [403, 404] })(event({ error_code: '404' }))).toBe(true);
  });

  it('never matches a scalar or a list on an absent field', () => {
    expect(compile({ error_code: 'AccessDenied' })(event())).toBe(false);
  });

  it('matches array fields when any value matches', () => {
    const p = compile({ secrets: 's2' });
    expect(p(event())).toBe(true);
    expect(p(event({ secrets: ['s3'] }))).toBe(false);
    expect(p(event({ secrets: [] }))).toBe(false);
  });

  it('searches with an unanchored regex, ignoring case on request', () => {
    expect(compile({ 'source.user_agent': { regex: 'cli/2' } })(event())).toBe(true);
    expect(compile({ 'source.user_agent': { regex: '^cli/2' } })(event())).toBe(false);
    expect(compile({ 'source.user_agent': { regex: 'AWS-CLI' } })(event())).toBe(false);
    expect(compile({ 'source.user_agent': { regex: 'AWS-CLI', ignore_case: true } })(event())).toBe(true);
  });

  it('starts_with tests each value of an array field', () => {
    const p = compile({ 'batch_filters.values': { starts_with: '!' } });
    expect(p(event({ batch_filters: [{ key: 'tag-key', values: ['team', '!never'] }] }))).toBe(true);
    expect(p(event({ batch_filters: [{ key: 'tag-key', values: ['team!'] }] }))).toBe(false);
    expect(p(event())).toBe(false);
    expect(compile({ 'principal.id': { starts_with: 'ARN:', ignore_case: true } })(event())).toBe(true);
  });

  it('not: holds when no value is excluded, and when the field is absent', () => {
    const p = compile({ 'principal.id': { not: 'unknown' } });
    expect(p(event())).toBe(true);
    expect(p(event({ principal: { id: 'unknown', type: 'unknown', class: 'standard' } }))).toBe(false);
    const host = compile({ 'source.host': { not: ['cloudformation.amazonaws.com'] } });
    expect(host(event())).toBe(true);
    expect(host(event({ source: { host: 'cloudformation.amazonaws.com' } }))).toBe(false);
    expect(compile({ secrets: { not: ['s2'] } })(event())).toBe(false);
    expect(compile({ 'principal.id': { not: 'UNKNOWN', ignore_case: true } })(event({ principal: { id: 'unknown', type: 'unknown', class: 'standard' } }))).toBe(false);
  });

  it('exists: true needs a value, exists: false needs none', () => {
    expect(compile({ 'source.ip': { exists: true } })(event())).toBe(true);
    expect(compile({ 'source.ip': { exists: true } })(event({ source: { host: 'secretsmanager.amazonaws.com' } }))).toBe(false);
    expect(compile({ 'source.ip': { exists: false } })(event({ source: {} }))).toBe(true);
    expect(compile({ secrets: { exists: true } })(event({ secrets: [] }))).toBe(false);
    expect(compile({ secrets: { exists: false } })(event({ secrets: [] }))).toBe(true);
  });

  it('requires every operator of one mapping to hold', () => {
    const p = compile({ error_code: { any_of: ['403', '404'], not: '404', exists: true } });
    expect(p(event({ error_code: '403' }))).toBe(true);
    expect(p(event({ error_code: '404' }))).toBe(false);
    expect(p(event())).toBe(false);
  });

  it('compiles a regex once, not per event', () => {
    const original = globalThis.RegExp;
    let built = 0;
    const Counting = new Proxy(original, {
      construct(target, args: [string, string?]) {
        built++;
        return new target(...args);
      },
    });
    globalThis.RegExp = Counting;
    try {
      const p = compile({ 'source.user_agent': { regex: 'cli' } });
      for (let i = 0; i < 100; i++) p(event());
    } finally {
      globalThis.RegExp = original;
    }
    expect(built).toBe(1);
  });
});
