/**
 * Realistic GCP Cloud Logging LogEntries for Secret Manager Data Access audit logs, in the JSON
 * form a log sink writes (camelCase, nanosecond timestamps, `,gzip(gfe)` on the user agent), and
 * the Pub/Sub push body a sink to Pub/Sub delivers them in.
 */
export interface GcpAuditCall {
  timeMs: number;
  /** Nanoseconds below the millisecond, so timestamps look like Cloud Logging's (9 digits). */
  subMilliNanos: number;
  projectId: string;
  /** Project number: Secret Manager writes it in `resourceName`, the id in the request. */
  projectNumber: string;
  /** Short method name: `AccessSecretVersion`, `GetSecret`, `ListSecrets`... */
  method: string;
  /** Secret name (not the path); empty for ListSecrets. */
  secret: string;
  version?: string;
  principalEmail: string;
  callerIp: string;
  userAgent: string;
  /** google.rpc.Code of a failure (7 PERMISSION_DENIED, 5 NOT_FOUND). */
  errorCode?: number;
  insertId: string;
}

const PERMISSIONS: Readonly<Record<string, { permission: string; type: string; kind: string }>> = {
  AccessSecretVersion: { permission: 'secretmanager.versions.access', type: 'DATA_READ', kind: 'SecretVersion' },
  GetSecret: { permission: 'secretmanager.secrets.get', type: 'ADMIN_READ', kind: 'Secret' },
  ListSecrets: { permission: 'secretmanager.secrets.list', type: 'ADMIN_READ', kind: 'Secret' },
};

const ERROR_MESSAGES: Readonly<Record<number, string>> = {
  5: 'Secret [{name}] not found or has no versions.',
  7: "Permission '{permission}' denied for resource '{name}' (or it may not exist).",
};

/** Nanosecond-precision RFC 3339, as Cloud Logging writes `timestamp`. */
export function nanoTime(ms: number, subMilliNanos: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-02T00:00:00.123Z
  return `${iso.slice(0, 23)}${String(subMilliNanos).padStart(6, '0')}Z`;
}

export function gcpAuditEntry(call: GcpAuditCall): Record<string, unknown> {
  const perm = PERMISSIONS[call.method] ?? PERMISSIONS.GetSecret!;
  const version = call.version ?? 'latest';
  const secretPath = `projects/${call.projectId}/secrets/${call.secret}`;
  const byId = call.method === 'AccessSecretVersion' ? `${secretPath}/versions/${version}` : call.method === 'ListSecrets' ? `projects/${call.projectId}` : secretPath;
  const byNumber = byId.replace(`projects/${call.projectId}`, `projects/${call.projectNumber}`);
  const methodName = `google.cloud.secretmanager.v1.SecretManagerService.${call.method}`;
  const time = nanoTime(call.timeMs, call.subMilliNanos);
  const authorization: Record<string, unknown> = {
    resource: byId,
    permission: perm.permission,
    resourceAttributes: { service: 'secretmanager.googleapis.com', name: byId, type: `secretmanager.googleapis.com/${perm.kind}` },
    permissionType: perm.type,
  };
  // proto3 JSON omits a false boolean: denied checks simply have no `granted`.
  if (call.errorCode === undefined) authorization.granted = true;
  const payload: Record<string, unknown> = {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    authenticationInfo: {
      principalEmail: call.principalEmail,
      principalSubject: call.principalEmail.endsWith('.gserviceaccount.com') ? `serviceAccount:${call.principalEmail}` : `user:${call.principalEmail}`,
    },
    requestMetadata: {
      callerIp: call.callerIp,
      callerSuppliedUserAgent: `${call.userAgent},gzip(gfe)`,
      requestAttributes: { time, auth: {} },
      destinationAttributes: {},
    },
    serviceName: 'secretmanager.googleapis.com',
    methodName,
    authorizationInfo: [authorization],
    resourceName: byNumber,
    request: {
      '@type': `type.googleapis.com/google.cloud.secretmanager.v1.${call.method}Request`,
      ...(call.method === 'ListSecrets' ? { parent: byId } : { name: byId }),
    },
    resourceLocation: { currentLocations: ['global'] },
  };
  if (call.errorCode !== undefined) {
    const message = (ERROR_MESSAGES[call.errorCode] ?? 'Request failed.').replace('{name}', byId).replace('{permission}', perm.permission);
    payload.status = { code: call.errorCode, message };
  } else payload.status = {};
  return {
    protoPayload: payload,
    insertId: call.insertId,
    resource: {
      type: 'audited_resource',
      labels: { method: methodName, project_id: call.projectId, service: 'secretmanager.googleapis.com' },
    },
    timestamp: time,
    severity: call.errorCode === undefined ? 'INFO' : 'ERROR',
    logName: `projects/${call.projectId}/logs/cloudaudit.googleapis.com%2Fdata_access`,
    receiveTimestamp: nanoTime(call.timeMs + 700 + (call.subMilliNanos % 900), (call.subMilliNanos * 7) % 1_000_000),
  };
}

/** A Pub/Sub push delivery of one LogEntry (what a push subscription POSTs to its endpoint). */
export function pubsubPush(entry: Record<string, unknown>, options: { messageId: string; publishMs: number; subscription: string }): Record<string, unknown> {
  const publishTime = new Date(options.publishMs).toISOString();
  return {
    message: {
      attributes: { 'logging.googleapis.com/timestamp': entry.timestamp },
      data: Buffer.from(JSON.stringify(entry)).toString('base64'),
      messageId: options.messageId,
      message_id: options.messageId,
      publishTime,
      publish_time: publishTime,
    },
    subscription: options.subscription,
  };
}
