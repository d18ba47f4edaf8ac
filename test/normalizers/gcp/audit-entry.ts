import type { FormatResult, JsonObject, NormalizedEvent } from '../../../normalizers/format.js';

/**
 * A minimal camelCase AuditLog LogEntry for unit tests: an AccessSecretVersion success by
 * alice@example.com. `payload` fields replace (or, with `undefined`, remove) protoPayload fields;
 * `entry` fields do the same for the LogEntry.
 */
export function auditEntry(payload: JsonObject = {}, entry: JsonObject = {}): JsonObject {
  const protoPayload: JsonObject = {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    status: {},
    authenticationInfo: { principalEmail: 'alice@example.com' },
    requestMetadata: { callerIp: '203.0.113.24', callerSuppliedUserAgent: 'curl/8.5.0,gzip(gfe)' },
    serviceName: 'secretmanager.googleapis.com',
    methodName: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
    resourceName: 'projects/acme-prod/secrets/db-password/versions/latest',
    ...payload,
  };
  const logEntry: JsonObject = {
    protoPayload,
    insertId: 'abc123',
    resource: { type: 'audited_resource', labels: { project_id: 'acme-prod', service: 'secretmanager.googleapis.com' } },
    timestamp: '2024-03-12T09:14:27.471295106Z',
    logName: 'projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access',
    receiveTimestamp: '2024-03-12T09:14:28.113604912Z',
    ...entry,
  };
  return stripUndefined(logEntry);
}

function stripUndefined(o: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) delete o[k];
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) stripUndefined(v as JsonObject);
  }
  return o;
}

/** The single event of an `events` result; fails the test otherwise. */
export function onlyEvent(result: FormatResult): NormalizedEvent {
  if (result.kind !== 'events' || result.events.length !== 1) {
    throw new Error(`expected one event, got ${JSON.stringify(result)}`);
  }
  return result.events[0] as NormalizedEvent;
}
