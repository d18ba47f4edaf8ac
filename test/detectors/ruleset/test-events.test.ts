import { describe, expect, it } from 'vitest';
import { expandTestEvents } from '../../../detectors/ruleset/test-events.js';
import { ruleTestSchema, type RuleTestSpec } from '../../../detectors/ruleset/rule-schema.js';
import { isSecretwatchError } from '../../../src/errors/codes.js';

const START = Date.UTC(2026, 0, 5, 12);

function test(spec: Record<string, unknown>): RuleTestSpec {
  return ruleTestSchema.parse({ name: 't', expect: [], ...spec });
}

describe('expandTestEvents', () => {
  it('fills an empty event with the documented AWS defaults', () => {
    const [e, ...rest] = expandTestEvents('rule_x', test({ events: [{}] }));
    expect(rest).toEqual([]);
    expect(e).toEqual({
      time: '2026-01-05T12:00:00.000Z',
      time_ms: START,
      provider: 'aws',
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      action: 'read',
      outcome: 'success',
      principal: { id: 'arn:aws:iam::111111111111:user/test', type: 'user', class: 'standard' },
      source: { ip: '198.51.100.10' },
      cloud: { account: '111111111111', region: 'us-east-1' },
      secrets: ['arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db'],
      raw: { source: 'rule-test:rule_x/t', index: 0, format: 'rule_test' },
    });
  });

  it('uses per-provider defaults for GCP and Azure', () => {
    const [gcp, azure] = expandTestEvents('r', test({ events: [{ provider: 'gcp' }, { provider: 'azure' }] }));
    expect(gcp).toMatchObject({
      service: 'secretmanager',
      operation: 'AccessSecretVersion',
      principal: { id: 'test@example.com', type: 'user' },
      cloud: { account: 'test-project' },
      secrets: ['projects/test-project/secrets/app-db'],
    });
    expect(azure).toMatchObject({
      service: 'keyvault',
      operation: 'SecretGet',
      cloud: { account: '00000000-0000-0000-0000-000000000000', region: 'eastus' },
      secrets: ['https://test-vault.vault.azure.net/secrets/app-db'],
    });
  });

  it('repeats an event every second by default and numbers the copies with {i}', () => {
    const events = expandTestEvents('r', test({ events: [{ repeat: 3, secrets: ['s-{i}'], principal: { session_name: 'run-{i}' } }] }));
    expect(events.map((e) => e.time_ms - START)).toEqual([0, 1000, 2000]);
    expect(events.map((e) => e.secrets[0])).toEqual(['s-0', 's-1', 's-2']);
    expect(events.map((e) => e.principal.session_name)).toEqual(['run-0', 'run-1', 'run-2']);
    expect(events.map((e) => e.raw.index)).toEqual([0, 1, 2]);
  });

  it('places later events `every` after the previous one, or at `at`', () => {
    const events = expandTestEvents(
      'r',
      test({
        start: '2026-02-01T00:00:00Z',
        events: [{ repeat: 2, every: '10m' }, { every: '1h' }, { at: '+1d' }, {}, { at: '-5m' }, { at: '2026-03-01T08:00:00Z' }],
      }),
    );
    const base = Date.UTC(2026, 1, 1);
    expect(events.map((e) => e.time_ms - base)).toEqual([
      0,
      600_000,
      600_000 + 3_600_000,
      86_400_000,
      86_400_000 + 1000,
      -300_000,
      Date.UTC(2026, 2, 1, 8) - base,
    ]);
    expect(events[6]?.time).toBe('2026-03-01T08:00:00.000Z');
  });

  it('merges principal, source and cloud key by key, and null removes a default', () => {
    const [e] = expandTestEvents(
      'r',
      test({ events: [{ principal: { type: 'role' }, source: { ip: null, host: 'secretsmanager.amazonaws.com' }, cloud: { region: null } }] }),
    );
    expect(e?.principal).toEqual({ id: 'arn:aws:iam::111111111111:user/test', type: 'role', class: 'standard' });
    expect(e?.source).toEqual({ host: 'secretsmanager.amazonaws.com' });
    expect(e?.cloud).toEqual({ account: '111111111111' });
  });

  it('derives the principal class from the id and type unless given', () => {
    const events = expandTestEvents(
      'r',
      test({
        events: [
          { principal: { id: 'arn:aws:iam::1:role/AdminRole', type: 'role' } },
          { provider: 'gcp', principal: { id: 'ci@p.iam.gserviceaccount.com', type: 'service_account' } },
          { principal: { id: 'arn:aws:iam::1:role/AdminRole', type: 'role', class: 'standard' } },
        ],
      }),
    );
    expect(events.map((e) => e.principal.class)).toEqual(['high_privilege', 'service_account', 'standard']);
  });

  it("gives failures the provider's denial code unless one is given or removed", () => {
    const events = expandTestEvents(
      'r',
      test({
        events: [
          { outcome: 'failure' },
          { outcome: 'failure', provider: 'gcp' },
          { outcome: 'failure', provider: 'azure' },
          { outcome: 'failure', error_code: 404 },
          { outcome: 'failure', error_code: null },
          {},
        ],
      }),
    );
    expect(events.map((e) => e.error_code)).toEqual(['AccessDenied', 'PERMISSION_DENIED', '403', '404', undefined, undefined]);
  });

  it('sets decrypted on SSM events like the normalizer, and keeps batch filters and event ids', () => {
    const events = expandTestEvents(
      'r',
      test({
        events: [
          { service: 'ssm', operation: 'GetParameter' },
          { service: 'ssm', operation: 'GetParameter', action: 'describe' },
          { service: 'ssm', decrypted: false },
          { operation: 'BatchGetSecretValue', action: 'batch_read', batch_filters: [{ key: 'tag-key', values: ['!x'] }], event_id: 'e-1' },
        ],
      }),
    );
    expect(events.map((e) => e.decrypted)).toEqual([true, false, false, undefined]);
    expect(events[3]?.batch_filters).toEqual([{ key: 'tag-key', values: ['!x'] }]);
    expect(events[3]?.event_id).toBe('e-1');
  });

  it('accepts numbers where YAML reads them for text fields', () => {
    const [e] = expandTestEvents('r', test({ events: [{ cloud: { account: 222222222222 } }] }));
    expect(e?.cloud.account).toBe('222222222222');
  });

  it('throws SW_RULE_INVALID naming the event and key of an invalid test event', () => {
    try {
      expandTestEvents('r', test({ events: [{}, { principle: { id: 'x' } }] }));
      expect.unreachable();
    } catch (err) {
      expect(isSecretwatchError(err) && err.code).toBe('SW_RULE_INVALID');
      expect((err as Error).message).toMatch(/^rule r, test "t": events\[1\]\.principle: unknown key; allowed keys here are repeat, every, at, provider,/);
    }
  });
});
