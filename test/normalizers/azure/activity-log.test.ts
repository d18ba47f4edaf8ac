import { describe, expect, it } from 'vitest';
import type { FormatResult, JsonObject, NormalizedEvent } from '../../../normalizers/format.js';
import { activityLogFormat as format } from '../../../normalizers/azure/activity-log.js';

function record(overrides: JsonObject = {}): JsonObject {
  return {
    time: '2024-12-17T10:30:00.0000000Z',
    resourceId:
      '/subscriptions/12345678-1234-1234-1234-123456789abc/resourceGroups/myresourcegroup/providers/Microsoft.KeyVault/vaults/myvault/secrets/database-password',
    operationName: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    category: 'Administrative',
    resultType: 'Success',
    callerIpAddress: '1.1.1.1',
    location: 'eastus',
    correlationId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    identity: { claims: { appid: '12345678-1234-1234-1234-123456789abc' } },
    ...overrides,
  };
}

function onlyEvent(result: FormatResult): NormalizedEvent {
  if (result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as NormalizedEvent;
}

describe('activity-log matches', () => {
  it('claims resource-log records whose operation is an RBAC operation', () => {
    expect(format.matches(record())).toBe(true);
    expect(format.matches({ operationName: 'MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE', category: 'Administrative' })).toBe(true);
  });

  it('leaves Key Vault data-plane records and shapeless objects alone', () => {
    expect(format.matches(record({ operationName: 'SecretGet' }))).toBe(false);
    expect(format.matches({ operationName: 'Microsoft.KeyVault/vaults/secrets/read' })).toBe(false);
    expect(format.matches({ operationName: { value: 'Microsoft.KeyVault/vaults/secrets/read' }, resourceId: 'x' })).toBe(false);
  });
});

describe('activity-log operations', () => {
  it.each([
    ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'read'],
    ['microsoft.keyvault/vaults/secrets/getsecret/action', 'read'],
    ['MICROSOFT.KEYVAULT/VAULTS/SECRETS/GETSECRET/ACTION', 'read'],
    ['Microsoft.KeyVault/vaults/secrets/backup/action', 'read'],
    ['MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ', 'describe'],
    ['Microsoft.KeyVault/vaults/secrets/readMetadata/action', 'describe'],
  ])('%s → %s', (op, action) => {
    const event = onlyEvent(format.decode(record({ operationName: op })));
    expect(event.action).toBe(action);
    expect(event.operation).toBe(op);
  });

  it.each([
    'Microsoft.KeyVault/vaults/secrets/write',
    'Microsoft.KeyVault/vaults/secrets/recover/action',
    'Microsoft.KeyVault/vaults/secrets/delete',
    'MICROSOFT.KEYVAULT/VAULTS/SECRETS/SETSECRET/ACTION',
  ])('%s is an unrelated secret write', (op) => {
    expect(format.decode(record({ operationName: op }))).toEqual({ kind: 'unrelated', reason: `secret_write:${op}` });
  });

  it.each(['MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE', 'Microsoft.KeyVault/vaults/read', 'Microsoft.KeyVault/vaults/keys/read'])(
    '%s is not a secret read',
    (op) => {
      expect(format.decode(record({ operationName: op }))).toEqual({ kind: 'unrelated', reason: `not_a_secret_read:${op}` });
    },
  );

  it('skips the "Start" half of an operation so one access counts once', () => {
    const op = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';
    expect(format.decode(record({ resultType: 'Start', resultSignature: 'Started.' }))).toEqual({
      kind: 'unrelated',
      reason: `operation_started:${op}`,
    });
    expect(format.decode(record({ resultType: undefined, resultSignature: 'Started.' }))).toMatchObject({ kind: 'unrelated' });
    expect(onlyEvent(format.decode(record({ resultType: 'Success', resultSignature: 'Succeeded.OK' }))).outcome).toBe('success');
  });
});

describe('activity-log decode', () => {
  it("normalizes Panther's getSecret/action sample", () => {
    expect(onlyEvent(format.decode(record()))).toEqual({
      time: '2024-12-17T10:30:00.000Z',
      time_ms: Date.UTC(2024, 11, 17, 10, 30),
      provider: 'azure',
      service: 'keyvault',
      operation: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      action: 'read',
      outcome: 'success',
      principal: { id: '12345678-1234-1234-1234-123456789abc', type: 'service_account', class: 'service_account' },
      source: { ip: '1.1.1.1' },
      cloud: { account: '12345678-1234-1234-1234-123456789abc', region: 'eastus' },
      secrets: ['https://myvault.vault.azure.net/secrets/database-password'],
      event_id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890|Microsoft.KeyVault/vaults/secrets/getSecret/action|2024-12-17T10:30:00.0000000Z',
    });
  });

  it('reads the failure from the signature, not resultType', () => {
    const event = onlyEvent(format.decode(record({ resultType: 'Success', resultSignature: 'Failed.Forbidden' })));
    expect(event.outcome).toBe('failure');
    expect(event.error_code).toBe('Forbidden');
  });

  it('uses the evidence principal when claims are missing', () => {
    const identity = { authorization: { evidence: { principalId: '55555555555555555555555555555555', principalType: 'User' } } };
    expect(onlyEvent(format.decode(record({ identity }))).principal).toEqual({
      id: '55555555555555555555555555555555',
      type: 'user',
      class: 'standard',
    });
  });

  it('a vault-level resource id names no secret', () => {
    const event = onlyEvent(
      format.decode(
        record({
          operationName: 'Microsoft.KeyVault/vaults/secrets/read',
          resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v',
        }),
      ),
    );
    expect(event.secrets).toEqual([]);
    expect(event.action).toBe('describe');
  });

  it('rejects a secret read without time', () => {
    expect(format.decode(record({ time: undefined }))).toMatchObject({ kind: 'rejected', reason: 'missing_time' });
  });
});
