import { describe, expect, it } from 'vitest';
import { logEntryBigQueryFormat } from '../../../normalizers/gcp/logentry-bigquery.js';
import { logEntryFormat } from '../../../normalizers/gcp/logentry.js';
import { auditEntry, onlyEvent } from './audit-entry.js';

describe('gcp_logentry_bigquery', () => {
  it('matches BigQuery sink rows and Log Analytics rows, not plain LogEntries', () => {
    expect(logEntryBigQueryFormat.matches({ protopayload_auditlog: {} })).toBe(true);
    expect(logEntryBigQueryFormat.matches({ proto_payload: { audit_log: {} } })).toBe(true);
    expect(logEntryBigQueryFormat.matches(auditEntry())).toBe(false);
    expect(logEntryBigQueryFormat.matches({ proto_payload: { service_name: 'x' } })).toBe(false);
    expect(logEntryBigQueryFormat.matches({ protopayload_auditlog: null })).toBe(false);
  });

  it('normalizes a BigQuery row exactly as the same LogEntry', () => {
    const entry = auditEntry({
      authorizationInfo: [{ resource: 'projects/acme-prod/secrets/db-password/versions/1', granted: true }],
    });
    const { protoPayload, ...columns } = entry;
    const row = { ...columns, protopayload_auditlog: protoPayload, textPayload: null, httpRequest: null };
    expect(logEntryBigQueryFormat.decode(row)).toStrictEqual(logEntryFormat.decode(entry));
  });

  it('reads null columns as absent and "false" grants as denials', () => {
    const row = {
      timestamp: '2024-03-12 09:14:27.471 UTC',
      receiveTimestamp: null,
      insertId: null,
      logName: 'projects/1234/logs/cloudaudit.googleapis.com%2Fdata_access',
      resource: { type: 'audited_resource', labels: { project_id: null, location: null } },
      protopayload_auditlog: {
        serviceName: 'secretmanager.googleapis.com',
        methodName: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
        resourceName: 'projects/1234/secrets/s/versions/1',
        resourceLocation: null,
        status: null,
        authenticationInfo: { principalEmail: null, principalSubject: null, serviceAccountKeyName: null },
        authorizationInfo: [{ resource: 'projects/1234/secrets/s/versions/1', granted: 'false' }],
        requestMetadata: { callerIp: null, callerSuppliedUserAgent: null, requestAttributes: null },
      },
    };
    expect(onlyEvent(logEntryBigQueryFormat.decode(row))).toStrictEqual({
      time: '2024-03-12T09:14:27.471Z',
      time_ms: Date.UTC(2024, 2, 12, 9, 14, 27, 471),
      provider: 'gcp',
      service: 'secretmanager',
      operation: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
      action: 'read',
      outcome: 'failure',
      error_code: 'PERMISSION_DENIED',
      principal: { id: 'unknown', type: 'unknown', class: 'standard' },
      source: {},
      cloud: { account: '1234' },
      secrets: ['projects/1234/secrets/s'],
    });
  });

  it('reports other services in exports as unrelated', () => {
    const row = {
      timestamp: '2022-08-22T02:12:57.630Z',
      protopayload_auditlog: { serviceName: 'bigquery.googleapis.com', methodName: 'google.cloud.bigquery.v2.JobService.InsertJob' },
    };
    expect(logEntryBigQueryFormat.decode(row)).toStrictEqual({
      kind: 'unrelated',
      reason: 'other_service:bigquery.googleapis.com',
    });
  });
});
