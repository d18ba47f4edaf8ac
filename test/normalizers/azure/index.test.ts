import { describe, expect, it } from 'vitest';
import { azureFormats } from '../../../normalizers/azure/index.js';
import { drive } from './drive.js';

describe('azureFormats', () => {
  it('lists the envelope first, then the two record formats', () => {
    expect(azureFormats.map((f) => f.name)).toEqual(['azure-records', 'keyvault-auditevent', 'activity-log']);
  });

  it('gives every record to at most one format', () => {
    const samples = [
      { records: [{ operationName: 'SecretGet', resourceId: '/x' }] },
      { operationName: 'SecretGet', resourceId: '/x' },
      { operationName: 'Microsoft.KeyVault/vaults/secrets/read', resourceId: '/x' },
    ];
    for (const sample of samples) expect(azureFormats.filter((f) => f.matches(sample))).toHaveLength(1);
  });

  it('claims no AWS or GCP shape', () => {
    const foreign = [
      { Records: [{ eventName: 'GetSecretValue', eventSource: 'secretsmanager.amazonaws.com' }] },
      { eventVersion: '1.08', eventName: 'GetSecretValue', eventTime: '2024-01-01T00:00:00Z', requestParameters: null },
      { 'detail-type': 'AWS API Call via CloudTrail', detail: { eventName: 'PutSecretValue' } },
      { messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', message: '{}' }] },
      { awslogs: { data: 'H4sI' } },
      { requestId: 'r', timestamp: 1, records: [{ data: 'e30=' }] },
      { protoPayload: { methodName: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion' }, logName: 'l' },
      { message: { data: 'e30=', messageId: '1' }, subscription: 's' },
    ];
    for (const value of foreign) expect(azureFormats.some((f) => f.matches(value))).toBe(false);
  });

  it('walks a batch mixing data-plane and Activity Log records', () => {
    const out = drive({
      records: [
        { time: '2024-01-01T00:00:00Z', operationName: 'SecretGet', resourceId: '/x', properties: { httpStatusCode: 200 } },
        { time: '2024-01-01T00:00:01Z', operationName: 'Microsoft.KeyVault/vaults/secrets/getSecret/action', resourceId: '/y' },
        { time: '2024-01-01T00:00:02Z', operationName: 'KeyGet', resourceId: '/x' },
        { hello: 'world' },
      ],
    });
    expect(out.events.map((e) => [e.operation, e.action])).toEqual([
      ['SecretGet', 'read'],
      ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'read'],
    ]);
    expect(out.unrelated).toBe(1);
    expect(out.rejected).toEqual(['unknown_format']);
  });
});
