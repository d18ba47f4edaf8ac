import { describe, expect, it } from 'vitest';
import { logEntryFormat } from '../../../normalizers/gcp/logentry.js';
import { auditEntry, onlyEvent } from './audit-entry.js';

const decode = (value: Record<string, unknown>) => logEntryFormat.decode(value);

describe('gcp_logentry: matching', () => {
  it('matches LogEntries in either spelling, including payload-only samples', () => {
    expect(logEntryFormat.matches(auditEntry())).toBe(true);
    expect(logEntryFormat.matches({ proto_payload: {} })).toBe(true);
    expect(logEntryFormat.matches({ protoPayload: {} })).toBe(true);
    expect(logEntryFormat.matches({ log_name: 'projects/p/logs/x' })).toBe(true);
    expect(logEntryFormat.matches({ insert_id: 'x' })).toBe(true);
    expect(logEntryFormat.matches({ textPayload: 'x', insertId: 'x' })).toBe(true);
  });

  it('does not match CloudTrail or Azure records', () => {
    expect(logEntryFormat.matches({ eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue' })).toBe(false);
    expect(logEntryFormat.matches({ operationName: 'SecretGet', properties: {} })).toBe(false);
    expect(logEntryFormat.matches({ protoPayload: 'text' })).toBe(false);
  });
});

describe('gcp_logentry: method mapping', () => {
  it.each([
    ['google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion', 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion', 'read'],
    ['google.cloud.secretmanager.v1.SecretManagerService.GetSecret', 'google.cloud.secretmanager.v1.SecretManagerService.GetSecret', 'describe'],
    ['google.cloud.secretmanager.v1.SecretManagerService.GetSecretVersion', 'google.cloud.secretmanager.v1.SecretManagerService.GetSecretVersion', 'describe'],
    ['google.cloud.secretmanager.v1.SecretManagerService.ListSecretVersions', 'google.cloud.secretmanager.v1.SecretManagerService.ListSecretVersions', 'list'],
    ['google.cloud.secretmanager.v1.SecretManagerService.ListSecrets', 'google.cloud.secretmanager.v1.SecretManagerService.ListSecrets', 'list'],
    ['google.cloud.secrets.v1beta1.SecretManagerService.AccessSecretVersion', 'google.cloud.secrets.v1beta1.SecretManagerService.AccessSecretVersion', 'read'],
    ['google.cloud.secretmanager.v1beta2.SecretManagerService.AccessSecretVersion', 'google.cloud.secretmanager.v1beta2.SecretManagerService.AccessSecretVersion', 'read'],
    ['google.cloud.secrets.v1beta1.SecretManagerService.ListSecrets', 'google.cloud.secrets.v1beta1.SecretManagerService.ListSecrets', 'list'],
    ['AccessSecretVersion', 'AccessSecretVersion', 'read'],
  ])('%s -> operation %s (verbatim) / %s', (methodName, operation, action) => {
    const event = onlyEvent(decode(auditEntry({ methodName })));
    expect(event.operation).toBe(operation);
    expect(event.action).toBe(action);
    expect(event.provider).toBe('gcp');
    expect(event.service).toBe('secretmanager');
  });

  it.each([
    ['google.cloud.secretmanager.v1.SecretManagerService.AddSecretVersion', 'other_method:AddSecretVersion'],
    ['google.cloud.secretmanager.v1.SecretManagerService.CreateSecret', 'other_method:CreateSecret'],
    ['google.cloud.secretmanager.v1.SecretManagerService.DestroySecretVersion', 'other_method:DestroySecretVersion'],
    ['google.cloud.secretmanager.v1.SecretManagerService.GetIamPolicy', 'other_method:GetIamPolicy'],
    ['google.cloud.location.Locations.ListLocations', 'other_method:ListLocations'],
    // Same short name, wrong interface: not a Secret Manager read.
    ['google.cloud.other.v1.OtherService.AccessSecretVersion', 'other_method:AccessSecretVersion'],
  ])('%s is unrelated (%s)', (methodName, reason) => {
    expect(decode(auditEntry({ methodName }))).toStrictEqual({ kind: 'unrelated', reason });
  });

  it('reports other services by name', () => {
    expect(
      decode(auditEntry({ serviceName: 'storage.googleapis.com', methodName: 'storage.objects.get' })),
    ).toStrictEqual({ kind: 'unrelated', reason: 'other_service:storage.googleapis.com' });
  });

  it('falls back to resource.labels.service, and says when there is no service at all', () => {
    const labelled = auditEntry({ serviceName: undefined });
    expect(onlyEvent(decode(labelled)).operation).toBe('google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion');
    const unnamed = auditEntry({ serviceName: undefined }, { resource: { type: 'audited_resource', labels: {} } });
    expect(decode(unnamed)).toStrictEqual({ kind: 'unrelated', reason: 'no_service_name' });
  });

  it('rejects a Secret Manager AuditLog without a methodName', () => {
    const result = decode(auditEntry({ methodName: undefined }));
    expect(result.kind === 'rejected' && result.reason).toBe('malformed_record');
  });

  it('treats entries without an AuditLog payload as unrelated', () => {
    expect(decode({ logName: 'projects/p/logs/stdout', textPayload: 'hi' })).toStrictEqual({
      kind: 'unrelated',
      reason: 'no_proto_payload',
    });
    expect(
      decode({ protoPayload: { '@type': 'type.googleapis.com/google.appengine.logging.v1.RequestLog' } }),
    ).toStrictEqual({ kind: 'unrelated', reason: 'not_audit_log' });
    expect(decode({ protoPayload: 'oops', insertId: 'x' }).kind).toBe('rejected');
  });

  it("accepts Panther's at_sign_type spelling of @type", () => {
    const entry = auditEntry({ '@type': undefined, at_sign_type: 'type.googleapis.com/google.cloud.audit.AuditLog' });
    expect(onlyEvent(decode(entry)).action).toBe('read');
  });
});

describe('gcp_logentry: time', () => {
  it('uses timestamp, truncated to milliseconds', () => {
    const event = onlyEvent(decode(auditEntry()));
    expect(event.time).toBe('2024-03-12T09:14:27.471Z');
    expect(event.time_ms).toBe(Date.UTC(2024, 2, 12, 9, 14, 27, 471));
  });

  it('falls back to requestAttributes.time, then receiveTimestamp', () => {
    const withRequestTime = auditEntry(
      { requestMetadata: { requestAttributes: { time: '2024-03-12T09:14:27.900Z' } } },
      { timestamp: undefined },
    );
    expect(onlyEvent(decode(withRequestTime)).time).toBe('2024-03-12T09:14:27.900Z');
    const receiveOnly = auditEntry({}, { timestamp: undefined });
    expect(onlyEvent(decode(receiveOnly)).time).toBe('2024-03-12T09:14:28.113Z');
  });

  it('falls through an unparseable timestamp to the next candidate', () => {
    expect(onlyEvent(decode(auditEntry({}, { timestamp: 'yesterday' }))).time).toBe('2024-03-12T09:14:28.113Z');
  });

  it('rejects missing_time when no candidate is present, invalid_time when none parses', () => {
    const none = decode(auditEntry({}, { timestamp: undefined, receiveTimestamp: undefined }));
    expect(none.kind === 'rejected' && none.reason).toBe('missing_time');
    const bad = decode(auditEntry({}, { timestamp: 'soon', receiveTimestamp: '2024-02-31T00:00:00Z' }));
    expect(bad.kind === 'rejected' && bad.reason).toBe('invalid_time');
  });

  it('does not reject unrelated records for a missing time', () => {
    const entry = auditEntry({ serviceName: 'compute.googleapis.com' }, { timestamp: undefined, receiveTimestamp: undefined });
    expect(decode(entry).kind).toBe('unrelated');
  });

  it('reads proto Timestamp objects and the space-separated export form', () => {
    expect(onlyEvent(decode(auditEntry({}, { timestamp: { seconds: 1710234867, nanos: 5_000_000 } }))).time).toBe(
      '2024-03-12T09:14:27.005Z',
    );
    expect(onlyEvent(decode(auditEntry({}, { timestamp: '2024-08-29 19:30:36.339983306' }))).time).toBe(
      '2024-08-29T19:30:36.339Z',
    );
  });
});

describe('gcp_logentry: outcome', () => {
  it.each([
    [7, 'PERMISSION_DENIED'],
    [5, 'NOT_FOUND'],
    [16, 'UNAUTHENTICATED'],
    [3, 'INVALID_ARGUMENT'],
    [8, 'RESOURCE_EXHAUSTED'],
    [9, 'FAILED_PRECONDITION'],
    [14, 'UNAVAILABLE'],
    ['7', 'PERMISSION_DENIED'],
    [42, '42'],
  ])('status.code %s -> failure %s', (code, name) => {
    const event = onlyEvent(decode(auditEntry({ status: { code, message: 'x' } })));
    expect(event.outcome).toBe('failure');
    expect(event.error_code).toBe(name);
  });

  it('is success for an empty, null or zero status', () => {
    for (const status of [{}, null, { code: 0 }, undefined]) {
      const event = onlyEvent(decode(auditEntry({ status })));
      expect(event.outcome).toBe('success');
      expect(event).not.toHaveProperty('error_code');
    }
  });

  it('is PERMISSION_DENIED when an authorization check was not granted and there is no status', () => {
    for (const granted of [false, 'false']) {
      const event = onlyEvent(decode(auditEntry({ status: {}, authorizationInfo: [{ permission: 'p', granted }] })));
      expect(event.outcome).toBe('failure');
      expect(event.error_code).toBe('PERMISSION_DENIED');
    }
    const granted = onlyEvent(decode(auditEntry({ authorizationInfo: [{ permission: 'p', granted: true }] })));
    expect(granted.outcome).toBe('success');
  });

  it('prefers status.code over granted', () => {
    const event = onlyEvent(decode(auditEntry({ status: { code: 5 }, authorizationInfo: [{ granted: false }] })));
    expect(event.error_code).toBe('NOT_FOUND');
  });
});

describe('gcp_logentry: principal', () => {
  const principalOf = (authenticationInfo: unknown) =>
    onlyEvent(decode(auditEntry({ authenticationInfo }))).principal;

  it('user e-mail', () => {
    expect(principalOf({ principalEmail: 'bob@example.com' })).toStrictEqual({
      id: 'bob@example.com',
      type: 'user',
      class: 'standard',
      display_name: 'bob@example.com',
    });
  });

  it('service account e-mail with a key', () => {
    expect(
      principalOf({
        principalEmail: 'ci@acme-prod.iam.gserviceaccount.com',
        serviceAccountKeyName: '//iam.googleapis.com/projects/acme-prod/serviceAccounts/ci@acme-prod.iam.gserviceaccount.com/keys/k1',
        principalSubject: 'serviceAccount:ci@acme-prod.iam.gserviceaccount.com',
      }),
    ).toStrictEqual({
      id: 'ci@acme-prod.iam.gserviceaccount.com',
      type: 'service_account',
      class: 'service_account',
      display_name: 'ci@acme-prod.iam.gserviceaccount.com',
      credential_id: '//iam.googleapis.com/projects/acme-prod/serviceAccounts/ci@acme-prod.iam.gserviceaccount.com/keys/k1',
    });
  });

  it('a serviceAccount: subject alone gives the same id as the e-mail', () => {
    expect(principalOf({ principalSubject: 'serviceAccount:ci@acme-prod.iam.gserviceaccount.com' })).toStrictEqual({
      id: 'ci@acme-prod.iam.gserviceaccount.com',
      type: 'service_account',
      class: 'service_account',
      display_name: 'ci@acme-prod.iam.gserviceaccount.com',
    });
  });

  it('a user: subject alone', () => {
    expect(principalOf({ principalSubject: 'user:bob@example.com' })).toStrictEqual({
      id: 'bob@example.com',
      type: 'user',
      class: 'standard',
      display_name: 'bob@example.com',
    });
  });

  it('workload identity subjects are managed identities, workforce subjects are users', () => {
    const wif = 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/subject/repo:acme/app';
    expect(principalOf({ principalSubject: wif })).toStrictEqual({ id: wif, type: 'managed_identity', class: 'service_account' });
    const gke = 'serviceAccount:acme-prod.svc.id.goog[payments/api]';
    expect(principalOf({ principalSubject: gke })).toStrictEqual({
      id: 'acme-prod.svc.id.goog[payments/api]',
      type: 'managed_identity',
      class: 'service_account',
    });
    const workforce = 'principal://iam.googleapis.com/locations/global/workforcePools/corp/subject/bob';
    expect(principalOf({ principalSubject: workforce })).toStrictEqual({ id: workforce, type: 'user', class: 'standard' });
  });

  it('unknown when authenticationInfo is empty, absent, or an unreadable subject', () => {
    const unknown = { id: 'unknown', type: 'unknown', class: 'standard' };
    expect(principalOf({})).toStrictEqual(unknown);
    expect(principalOf(undefined)).toStrictEqual(unknown);
    expect(principalOf({ principalSubject: 'example_principal_subject' })).toStrictEqual({
      id: 'example_principal_subject',
      type: 'unknown',
      class: 'standard',
    });
  });

  it('classifies admin identities as high privilege', () => {
    expect(principalOf({ principalEmail: 'admin@example.com' }).class).toBe('high_privilege');
  });
});

describe('gcp_logentry: source', () => {
  const sourceOf = (requestMetadata: unknown) => onlyEvent(decode(auditEntry({ requestMetadata }))).source;

  it('splits IPs from internal markers and strips the GFE suffix', () => {
    expect(sourceOf({ callerIp: '203.0.113.9', callerSuppliedUserAgent: 'x/1,gzip(gfe)' })).toStrictEqual({
      ip: '203.0.113.9',
      user_agent: 'x/1',
    });
    expect(sourceOf({ callerIp: 'private' })).toStrictEqual({ host: 'private' });
    expect(sourceOf({ callerIP: 'gce-internal-ip' })).toStrictEqual({ host: 'gce-internal-ip' });
    expect(sourceOf({ callerSuppliedUserAgent: ',gzip(gfe)' })).toStrictEqual({});
    expect(sourceOf({ callerSuppliedUserAgent: 'gzip(gfe) inside,gzip(gfe)' })).toStrictEqual({ user_agent: 'gzip(gfe) inside' });
    expect(sourceOf(undefined)).toStrictEqual({});
  });
});

describe('gcp_logentry: cloud context', () => {
  const cloudOf = (payload: Record<string, unknown>, entry: Record<string, unknown>) =>
    onlyEvent(decode(auditEntry(payload, entry))).cloud;

  it('project from resource labels, then logName, then resourceName', () => {
    expect(cloudOf({}, {})).toStrictEqual({ account: 'acme-prod' });
    expect(cloudOf({}, { resource: undefined, logName: 'projects/from-log/logs/x' })).toStrictEqual({ account: 'from-log' });
    expect(cloudOf({}, { resource: undefined, logName: undefined })).toStrictEqual({ account: 'acme-prod' });
    expect(cloudOf({ resourceName: 'projects/-/secrets/s' }, { resource: undefined, logName: 'organizations/1/logs/x' })).toStrictEqual({});
  });

  it('region from resource.labels.location, then resourceLocation.currentLocations[0]', () => {
    expect(cloudOf({ resourceLocation: { currentLocations: ['us-east1'] } }, {})).toStrictEqual({
      account: 'acme-prod',
      region: 'us-east1',
    });
    expect(
      cloudOf(
        { resourceLocation: { currentLocations: ['us-east1'] } },
        { resource: { labels: { project_id: 'p', location: 'europe-west4' } } },
      ),
    ).toStrictEqual({ account: 'p', region: 'europe-west4' });
  });
});

describe('gcp_logentry: secrets and ids', () => {
  const secretsOf = (payload: Record<string, unknown>) => onlyEvent(decode(auditEntry(payload))).secrets;

  it('collapses versions onto the secret', () => {
    expect(secretsOf({ resourceName: 'projects/p/secrets/s/versions/latest' })).toStrictEqual(['projects/p/secrets/s']);
    expect(secretsOf({ resourceName: 'projects/p/secrets/s/versions/3' })).toStrictEqual(['projects/p/secrets/s']);
    expect(secretsOf({ resourceName: 'projects/p/secrets/s' })).toStrictEqual(['projects/p/secrets/s']);
  });

  it('keeps regional secrets distinct and strips the full-resource-name prefix', () => {
    expect(secretsOf({ resourceName: 'projects/p/locations/us-east1/secrets/s/versions/1' })).toStrictEqual([
      'projects/p/locations/us-east1/secrets/s',
    ]);
    expect(secretsOf({ resourceName: '//secretmanager.googleapis.com/projects/p/secrets/s/versions/1' })).toStrictEqual([
      'projects/p/secrets/s',
    ]);
  });

  it('falls back to request.name, then authorizationInfo resource / resourceAttributes.name', () => {
    expect(secretsOf({ resourceName: undefined, request: { name: 'projects/p/secrets/a/versions/1' } })).toStrictEqual([
      'projects/p/secrets/a',
    ]);
    expect(
      secretsOf({ resourceName: undefined, authorizationInfo: [{ resource: 'projects/p' }, { resource: 'projects/p/secrets/b' }] }),
    ).toStrictEqual(['projects/p/secrets/b']);
    expect(
      secretsOf({ resourceName: undefined, authorizationInfo: [{ resourceAttributes: { name: 'projects/p/secrets/c/versions/2' } }] }),
    ).toStrictEqual(['projects/p/secrets/c']);
  });

  it('names one secret even when fields spell the project differently (number vs id)', () => {
    expect(
      secretsOf({
        resourceName: 'projects/123456789012/secrets/s/versions/1',
        request: { name: 'projects/acme-prod/secrets/s/versions/1' },
      }),
    ).toStrictEqual(['projects/123456789012/secrets/s']);
  });

  it('is empty when the record names no secret', () => {
    expect(secretsOf({ methodName: 'ListSecrets', resourceName: 'projects/p' })).toStrictEqual([]);
  });

  it('event_id is insertId, absent when the entry has none', () => {
    expect(onlyEvent(decode(auditEntry())).event_id).toBe('abc123');
    expect(onlyEvent(decode(auditEntry({}, { insertId: undefined })))).not.toHaveProperty('event_id');
  });
});

describe('gcp_logentry: snake_case (proto field names)', () => {
  it('reads every field from a keepCase proto LogEntry', () => {
    const entry = {
      log_name: 'projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access',
      insert_id: 'snake1',
      receive_timestamp: { seconds: '1710234868', nanos: 0 },
      proto_payload: {
        service_name: 'secretmanager.googleapis.com',
        method_name: 'google.cloud.secretmanager.v1.SecretManagerService.GetSecretVersion',
        resource_name: 'projects/acme-prod/secrets/db-password/versions/4',
        status: { code: 9, message: 'x', details: [] },
        authentication_info: {
          principal_email: '',
          principal_subject: 'serviceAccount:ci@acme-prod.iam.gserviceaccount.com',
          service_account_key_name: 'keys/k9',
        },
        request_metadata: {
          caller_ip: '198.51.100.4',
          caller_supplied_user_agent: 'grpc-go/1.62.1,gzip(gfe)',
          request_attributes: { time: '2024-03-12T09:14:27.100Z' },
        },
        resource_location: { current_locations: ['us-central1'] },
      },
    };
    expect(onlyEvent(decode(entry))).toStrictEqual({
      time: '2024-03-12T09:14:27.100Z',
      time_ms: Date.UTC(2024, 2, 12, 9, 14, 27, 100),
      provider: 'gcp',
      service: 'secretmanager',
      operation: 'google.cloud.secretmanager.v1.SecretManagerService.GetSecretVersion',
      action: 'describe',
      outcome: 'failure',
      error_code: 'FAILED_PRECONDITION',
      principal: {
        id: 'ci@acme-prod.iam.gserviceaccount.com',
        type: 'service_account',
        class: 'service_account',
        display_name: 'ci@acme-prod.iam.gserviceaccount.com',
        credential_id: 'keys/k9',
      },
      source: { ip: '198.51.100.4', user_agent: 'grpc-go/1.62.1' },
      cloud: { account: 'acme-prod', region: 'us-central1' },
      secrets: ['projects/acme-prod/secrets/db-password'],
      event_id: 'snake1',
    });
  });

  it('snake_case authorization_info denial counts as PERMISSION_DENIED', () => {
    const entry = auditEntry({ authorization_info: [{ granted: false }] });
    expect(onlyEvent(decode(entry)).error_code).toBe('PERMISSION_DENIED');
  });
});

describe('gcp_logentry: purity', () => {
  it('does not modify its input', () => {
    const entry = auditEntry();
    const before = JSON.stringify(entry);
    decode(entry);
    expect(JSON.stringify(entry)).toBe(before);
  });

  it('never throws on odd shapes', () => {
    const odd: Record<string, unknown>[] = [
      { protoPayload: {} },
      { protoPayload: { serviceName: 'secretmanager.googleapis.com', methodName: 7 } },
      auditEntry({ authenticationInfo: 'x', requestMetadata: [], authorizationInfo: {}, status: 'x', request: 1 }),
      auditEntry({ resourceLocation: { currentLocations: [1] } }, { resource: { labels: [] }, timestamp: {} }),
      auditEntry({ authorizationInfo: [null, 1, 'x', { resourceAttributes: 5 }], resourceName: 5 }),
    ];
    for (const value of odd) expect(() => decode(value)).not.toThrow();
  });
});
