import { describe, expect, it } from 'vitest';
import type { FormatResult, JsonObject, NormalizedEvent } from '../../../normalizers/format.js';
import { keyVaultAuditEventFormat as format } from '../../../normalizers/azure/keyvault-auditevent.js';

const VAULT = '/SUBSCRIPTIONS/F40A1F1D-F2C6-4444-92A6-93068B9DE034/RESOURCEGROUPS/INTEGRATION/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KEYTESTINT';

function record(overrides: JsonObject = {}): JsonObject {
  return {
    time: '2024-04-02T08:20:49.2681600Z',
    category: 'AuditEvent',
    operationName: 'SecretGet',
    resultType: 'Success',
    correlationId: '1b3aa393-f142-4329-8b1f-c5222119ae35',
    callerIpAddress: '147.161.0.0',
    identity: { claim: { oid: 'd4ba3e84-0444-4841-aaf7-000000000000', upn: 'john.doe@dummy.onmicrosoft.com' } },
    properties: {
      id: 'https://keytestint.vault.azure.net/secrets/a/0123456789abcdef0123456789abcdef',
      clientInfo: 'azsdk-python-keyvault-secrets/4.8.0',
      httpStatusCode: 200,
    },
    resourceId: VAULT,
    resultSignature: 'OK',
    ...overrides,
  };
}

function onlyEvent(result: FormatResult): NormalizedEvent {
  if (result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as NormalizedEvent;
}

describe('keyvault-auditevent matches', () => {
  it('claims Key Vault records by bare operation name plus resource-log shape, whatever the category', () => {
    expect(format.matches(record())).toBe(true);
    expect(format.matches(record({ category: 'NonExistentCategory' }))).toBe(true);
    expect(format.matches({ operationName: 'SecretGet', resourceId: '/RESOURCE_ID' })).toBe(true);
    expect(format.matches({ operationName: 'SecretGet', category: 'AuditEvent' })).toBe(true);
  });

  it('leaves Activity Log operations, bare objects and other providers alone', () => {
    expect(format.matches(record({ operationName: 'Microsoft.KeyVault/vaults/secrets/read' }))).toBe(false);
    expect(format.matches({ operationName: 'SecretGet' })).toBe(false);
    expect(format.matches({ operationName: '', resourceId: 'x' })).toBe(false);
    expect(format.matches({ operationName: { value: 'SecretGet' }, resourceId: 'x' })).toBe(false);
    expect(format.matches({ eventName: 'GetSecretValue', eventSource: 'secretsmanager.amazonaws.com' })).toBe(false);
    expect(format.matches({ protoPayload: { methodName: 'AccessSecretVersion' }, logName: 'x' })).toBe(false);
    expect(format.matches({ records: [] })).toBe(false);
  });
});

describe('keyvault-auditevent operations', () => {
  it.each([
    ['SecretGet', 'read'],
    ['SecretBackup', 'read'],
    ['SecretGetDeleted', 'describe'],
    ['SecretList', 'list'],
    ['SecretListVersions', 'list'],
    ['SecretListDeleted', 'list'],
    ['secretget', 'read'],
    ['SECRETLISTDELETED', 'list'],
  ])('%s → %s, operation kept verbatim', (op, action) => {
    const event = onlyEvent(format.decode(record({ operationName: op })));
    expect(event.action).toBe(action);
    expect(event.operation).toBe(op);
  });

  it.each(['SecretSet', 'SecretUpdate', 'SecretDelete', 'SecretPurge', 'SecretRecover', 'SecretRestore', 'secretset'])(
    '%s is an unrelated secret write',
    (op) => {
      expect(format.decode(record({ operationName: op }))).toEqual({ kind: 'unrelated', reason: `secret_write:${op}` });
    },
  );

  it.each(['KeyGet', 'CertificateGet', 'VaultGet', 'KeyDecrypt', 'Authentication', 'GetBlob'])(
    '%s is unrelated: not_a_secret_read',
    (op) => {
      expect(format.decode(record({ operationName: op }))).toEqual({ kind: 'unrelated', reason: `not_a_secret_read:${op}` });
    },
  );

  it('classifies the operation before looking at time (an unrelated record without time is unrelated)', () => {
    expect(format.decode(record({ operationName: 'VaultGet', time: undefined }))).toEqual({
      kind: 'unrelated',
      reason: 'not_a_secret_read:VaultGet',
    });
  });
});

describe('keyvault-auditevent decode', () => {
  it('normalizes a SecretGet 403 (resultType Success) as a failure with the code', () => {
    const event = onlyEvent(
      format.decode(record({ properties: { id: 'https://keytestint.vault.azure.net/secrets/a', httpStatusCode: 403, clientInfo: 'x' }, resultSignature: 'Forbidden' })),
    );
    expect(event).toEqual({
      time: '2024-04-02T08:20:49.268Z',
      time_ms: Date.UTC(2024, 3, 2, 8, 20, 49, 268),
      provider: 'azure',
      service: 'keyvault',
      operation: 'SecretGet',
      action: 'read',
      outcome: 'failure',
      error_code: '403',
      principal: {
        id: 'john.doe@dummy.onmicrosoft.com',
        type: 'user',
        class: 'standard',
        display_name: 'john.doe@dummy.onmicrosoft.com',
      },
      source: { ip: '147.161.0.0', user_agent: 'x' },
      cloud: { account: 'f40a1f1d-f2c6-4444-92a6-93068b9de034' },
      secrets: ['https://keytestint.vault.azure.net/secrets/a'],
      event_id: '1b3aa393-f142-4329-8b1f-c5222119ae35|SecretGet|2024-04-02T08:20:49.2681600Z',
    });
  });

  it('uses resultSignature when there is no httpStatusCode', () => {
    const event = onlyEvent(format.decode(record({ properties: {}, resultSignature: 'Unauthorized', identity: undefined })));
    expect(event.outcome).toBe('failure');
    expect(event.error_code).toBe('Unauthorized');
    expect(event.principal).toEqual({ id: 'unknown', type: 'unknown', class: 'standard' });
  });

  it('still emits a record with no status at all (success by resultType, or by nothing)', () => {
    const bare = { time: '2022-11-11T04:48:27.6767145Z', resourceId: '/RESOURCE_ID', operationName: 'SecretGet', category: 'X' };
    const event = onlyEvent(format.decode(bare));
    expect(event.outcome).toBe('success');
    expect(event).not.toHaveProperty('error_code');
    expect(event).not.toHaveProperty('event_id');
    expect(event.source).toEqual({});
    expect(event.cloud).toEqual({});
    expect(event.secrets).toEqual([]);
    expect(onlyEvent(format.decode({ ...bare, resultType: 'Failed' }))).toMatchObject({ outcome: 'failure', error_code: 'Failed' });
  });

  it('takes the time from TimeGenerated or timeStamp when time is absent', () => {
    expect(onlyEvent(format.decode(record({ time: undefined, TimeGenerated: '2024-04-02T08:20:49.1Z' }))).time).toBe(
      '2024-04-02T08:20:49.100Z',
    );
    expect(onlyEvent(format.decode(record({ time: undefined, timeStamp: '2024-04-02 08:20:49' }))).time).toBe(
      '2024-04-02T08:20:49.000Z',
    );
    expect(onlyEvent(format.decode(record({ time: '', TimeGenerated: '2024-04-02T08:20:49Z' }))).time_ms).toBe(
      Date.UTC(2024, 3, 2, 8, 20, 49),
    );
  });

  it('rejects a secret read without a time, or with an unusable one', () => {
    expect(format.decode(record({ time: undefined }))).toMatchObject({ kind: 'rejected', reason: 'missing_time' });
    expect(format.decode(record({ time: null }))).toMatchObject({ kind: 'rejected', reason: 'missing_time' });
    expect(format.decode(record({ time: 'yesterday' }))).toMatchObject({ kind: 'rejected', reason: 'invalid_time' });
    expect(format.decode(record({ time: '2024-02-31T00:00:00Z' }))).toMatchObject({ kind: 'rejected', reason: 'invalid_time' });
    expect(format.decode(record({ time: { at: 1 } }))).toMatchObject({ kind: 'rejected', reason: 'invalid_time' });
  });

  it('splits a caller address with a port, keeps a non-IP as host', () => {
    expect(onlyEvent(format.decode(record({ callerIpAddress: '203.0.113.88:50432' }))).source.ip).toBe('203.0.113.88');
    expect(onlyEvent(format.decode(record({ callerIpAddress: 'AzureResourceManager' }))).source).toEqual({
      host: 'AzureResourceManager',
      user_agent: 'azsdk-python-keyvault-secrets/4.8.0',
    });
    expect(onlyEvent(format.decode(record({ callerIpAddress: undefined }))).source).toEqual({
      user_agent: 'azsdk-python-keyvault-secrets/4.8.0',
    });
  });

  it('reads the region from location when present', () => {
    expect(onlyEvent(format.decode(record({ location: 'francecentral' }))).cloud).toEqual({
      account: 'f40a1f1d-f2c6-4444-92a6-93068b9de034',
      region: 'francecentral',
    });
  });

  it('SecretListVersions names the one secret whose versions were listed', () => {
    const event = onlyEvent(
      format.decode(
        record({
          operationName: 'SecretListVersions',
          properties: { requestUri: 'https://keytestint.vault.azure.net/secrets/A/versions?api-version=7.4', httpStatusCode: 200 },
        }),
      ),
    );
    expect(event.action).toBe('list');
    expect(event.secrets).toEqual(['https://keytestint.vault.azure.net/secrets/a']);
  });

  it('survives junk in every optional field', () => {
    const junk = record({ identity: 5, properties: 'x', callerIpAddress: 7, correlationId: 9, location: {}, resourceId: 1 });
    const event = onlyEvent(format.decode(junk));
    expect(event.principal.id).toBe('unknown');
    expect(event.source).toEqual({});
    expect(event.cloud).toEqual({});
    expect(event.secrets).toEqual([]);
    expect(event.outcome).toBe('success'); // resultSignature OK
  });
});
