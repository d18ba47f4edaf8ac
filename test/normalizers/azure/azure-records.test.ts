import { describe, expect, it } from 'vitest';
import { azureRecordsFormat as format } from '../../../normalizers/azure/azure-records.js';

describe('azure-records', () => {
  const child = { time: '2024-01-01T00:00:00Z', operationName: 'SecretGet', resourceId: '/x', category: 'AuditEvent' };

  it('claims an Event Hubs batch and returns its records as children, in order', () => {
    const other = { operationName: 'VaultGet', resourceId: '/y' };
    expect(format.matches({ records: [child, other] })).toBe(true);
    expect(format.decode({ records: [child, other] })).toEqual({ kind: 'children', items: [child, other] });
  });

  it('recognizes a batch by any of the common-schema keys of its first record', () => {
    expect(format.matches({ records: [{ category: 'AuditEvent' }] })).toBe(true);
    expect(format.matches({ records: [{ resourceId: '/RESOURCE_ID' }] })).toBe(true);
  });

  it('claims an empty batch, but not an empty Firehose delivery', () => {
    expect(format.matches({ records: [] })).toBe(true);
    expect(format.decode({ records: [] })).toEqual({ kind: 'children', items: [] });
    expect(format.matches({ requestId: 'r', timestamp: 1, records: [] })).toBe(false);
  });

  it('leaves CloudTrail, Firehose and odd shapes alone', () => {
    expect(format.matches({ Records: [child] })).toBe(false);
    expect(format.matches({ requestId: 'r', timestamp: 1, records: [{ data: 'eyJhIjoxfQ==' }] })).toBe(false);
    expect(format.matches({ records: ['text'] })).toBe(false);
    expect(format.matches({ records: [null] })).toBe(false);
    expect(format.matches({ records: { 0: child } })).toBe(false);
    expect(format.matches(child)).toBe(false);
  });
});
