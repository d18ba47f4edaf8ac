/**
 * Realistic CloudTrail records for benchmarks and demo data: the shape and size (~1.5 KB) of real
 * GetSecretValue / SSM / unrelated API calls, with the fields the normalizer reads in the places
 * CloudTrail writes them.
 */
export interface CloudTrailCall {
  timeMs: number;
  eventName: string;
  eventSource: string;
  account: string;
  region: string;
  /** IAM user name, or `role/session` for an assumed role. */
  principal: { kind: 'user'; name: string } | { kind: 'role'; role: string; session: string };
  sourceIp: string;
  userAgent: string;
  requestParameters: Record<string, unknown> | null;
  errorCode?: string;
  eventId: string;
  /**
   * 16 upper-case characters that identify the credential (principal id and access key suffix).
   * Real records repeat them for every call of one session or key; without it they are derived from
   * `eventId` (fine for benchmarks, which never look at them).
   */
  credentialKey?: string;
  /** Set when the call came through an interface VPC endpoint (`sourceIPAddress` is then private). */
  vpcEndpointId?: string;
  /** `responseElements` (null for reads, as CloudTrail writes them). */
  responseElements?: Record<string, unknown> | null;
  /** Extra top-level fields (`resources`, `additionalEventData`...). */
  extra?: Record<string, unknown>;
}

export function cloudTrailRecord(call: CloudTrailCall): Record<string, unknown> {
  const { account, principal } = call;
  const idKey = call.credentialKey ?? call.eventId.slice(0, 16).toUpperCase();
  const keyKey = call.credentialKey !== undefined ? [...call.credentialKey].reverse().join('') : call.eventId.slice(-16).toUpperCase();
  const userIdentity =
    principal.kind === 'user'
      ? {
          type: 'IAMUser',
          principalId: `AIDA${idKey}`,
          arn: `arn:aws:iam::${account}:user/${principal.name}`,
          accountId: account,
          accessKeyId: `AKIA${keyKey}`,
          userName: principal.name,
        }
      : {
          type: 'AssumedRole',
          principalId: `AROA${idKey}:${principal.session}`,
          arn: `arn:aws:sts::${account}:assumed-role/${principal.role}/${principal.session}`,
          accountId: account,
          accessKeyId: `ASIA${keyKey}`,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: `AROA${idKey}`,
              arn: `arn:aws:iam::${account}:role/${principal.role}`,
              accountId: account,
              userName: principal.role,
            },
            attributes: { creationDate: new Date(call.timeMs - 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
          },
        };
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity,
    eventTime: new Date(call.timeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
    requestParameters: call.requestParameters,
    responseElements: call.responseElements ?? null,
    requestID: `${call.eventId.slice(0, 8)}-0000-4000-8000-${call.eventId.slice(-12)}`,
    eventID: `${call.eventId.slice(0, 8)}-${call.eventId.slice(8, 12)}-4${call.eventId.slice(13, 16)}-8${call.eventId.slice(17, 20)}-${call.eventId.slice(20, 32)}`,
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `${call.eventSource.split('.')[0]}.${call.region}.amazonaws.com`,
    },
  };
  if (call.vpcEndpointId !== undefined) record.vpcEndpointId = call.vpcEndpointId;
  if (call.extra !== undefined) Object.assign(record, call.extra);
  if (call.errorCode !== undefined) {
    record.errorCode = call.errorCode;
    // The wording IAM uses: who, which action, on what, and why.
    const action = `${call.eventSource.split('.')[0]}:${call.eventName}`;
    const target = call.requestParameters?.['secretId'] ?? call.requestParameters?.['name'];
    record.errorMessage = `User: ${userIdentity.arn} is not authorized to perform: ${action}${typeof target === 'string' ? ` on resource: ${target}` : ''} because no identity-based policy allows the ${action} action`;
  }
  return record;
}

/** A 32-hex-digit id derived from a number, for eventIDs that are unique and repeatable. */
export function hexId(n: number, salt = 0): string {
  let h1 = (n ^ 0x9e3779b9 ^ salt) >>> 0;
  let out = '';
  for (let i = 0; i < 4; i++) {
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b) >>> 0;
    h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35 + i) >>> 0;
    h1 = (h1 ^ (h1 >>> 16)) >>> 0;
    out += h1.toString(16).padStart(8, '0');
  }
  return out;
}

export function secretArn(account: string, region: string, name: string, suffix: string): string {
  return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${suffix}`;
}
