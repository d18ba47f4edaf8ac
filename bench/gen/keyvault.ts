/**
 * Realistic Azure Key Vault `AuditEvent` resource-log records, as diagnostic settings deliver them
 * to Event Hubs (`{"records": [...]}`): 100 ns timestamps, an upper-case `resourceId`, the caller
 * in `identity.claim` with URI claim names, the outcome in `properties.httpStatusCode` (a 401 is
 * still `resultType: Success`).
 */
export type KeyVaultCaller =
  | { kind: 'user'; upn: string; oid: string; appid: string }
  | { kind: 'managed_identity'; oid: string; appid: string; name: string; resourceGroup: string };

export interface KeyVaultCall {
  timeMs: number;
  /** The 100 ns ticks below the millisecond (0..9999), for Azure's 7-digit fractions. */
  subMilliTicks: number;
  subscription: string;
  resourceGroup: string;
  vault: string;
  location: string;
  operation: 'SecretGet' | 'SecretList';
  /** Secret name; empty for SecretList. */
  secret: string;
  /** 32-hex version id the SDK resolved (SecretGet 200 only). */
  version: string;
  httpStatus: 200 | 401 | 403 | 404;
  /** The caller; absent on a 401 (the SDK's unauthenticated first request carries no token). */
  caller?: KeyVaultCaller;
  callerIp: string;
  clientInfo: string;
  correlationId: string;
  tenantId: string;
}

const SIGNATURES: Readonly<Record<number, string>> = { 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' };
const DESCRIPTIONS: Readonly<Record<number, string>> = {
  200: '',
  401: 'Request is missing a Bearer or PoP token.',
  403: 'Caller is not authorized to perform action on resource.',
  404: 'A secret with (name/id) was not found in this key vault.',
};

/** ISO 8601 with seven fractional digits, as Key Vault writes `time`. */
export function azureTime(ms: number, subMilliTicks: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(subMilliTicks).padStart(4, '0')}Z`;
}

function claims(caller: KeyVaultCaller, tenantId: string, subscription: string): Record<string, string> {
  const base: Record<string, string> = {
    'http://schemas.microsoft.com/identity/claims/objectidentifier': caller.oid,
    appid: caller.appid,
    'http://schemas.microsoft.com/identity/claims/tenantid': tenantId,
  };
  if (caller.kind === 'user') {
    base['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn'] = caller.upn;
    base.appidacr = '0';
    base.idtyp = 'user';
  } else {
    base.appidacr = '2';
    base.idtyp = 'app';
    base.xms_mirid = `/subscriptions/${subscription}/resourcegroups/${caller.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${caller.name}`;
  }
  return base;
}

export function keyVaultRecord(call: KeyVaultCall): Record<string, unknown> {
  const host = `https://${call.vault}.vault.azure.net`;
  const requestUri = call.operation === 'SecretList' ? `${host}/secrets?api-version=7.4` : `${host}/secrets/${call.secret}/?api-version=7.4`;
  const properties: Record<string, unknown> = {};
  if (call.operation === 'SecretGet' && call.httpStatus === 200) properties.id = `${host}/secrets/${call.secret}/${call.version}`;
  properties.clientInfo = call.clientInfo;
  properties.requestUri = requestUri;
  properties.httpStatusCode = call.httpStatus;
  if (call.httpStatus !== 401) properties.isRbacAuthorized = true;
  properties.tlsVersion = 'TLS1_2';
  const record: Record<string, unknown> = {
    time: azureTime(call.timeMs, call.subMilliTicks),
    resourceId: `/SUBSCRIPTIONS/${call.subscription.toUpperCase()}/RESOURCEGROUPS/${call.resourceGroup.toUpperCase()}/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/${call.vault.toUpperCase()}`,
    operationName: call.operation,
    operationVersion: '7.4',
    category: 'AuditEvent',
    resultType: 'Success',
    resultSignature: SIGNATURES[call.httpStatus],
    resultDescription: DESCRIPTIONS[call.httpStatus],
    durationMs: String(call.httpStatus === 401 ? 2 + (call.subMilliTicks % 4) : 6 + (call.subMilliTicks % 30)),
    callerIpAddress: call.callerIp,
    correlationId: call.correlationId,
  };
  if (call.caller !== undefined) record.identity = { claim: claims(call.caller, call.tenantId, call.subscription) };
  record.properties = properties;
  record.location = call.location;
  return record;
}
