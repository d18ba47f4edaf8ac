import type { Principal, PrincipalType } from '../schema.js';
import type { JsonObject } from '../format.js';
import { isObject, obj, str } from '../common/json.js';
import { classifyPrincipal } from '../common/principal-class.js';

// Claim names as Azure writes them: short JWT names, or the WS-Federation URIs that the
// .NET token handler maps them to (Key Vault and Activity Log use both, sometimes in one record).
const UPN_URI = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const NAME_URI = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'; // = unique_name
const OID_URI = 'http://schemas.microsoft.com/identity/claims/objectidentifier';

function unknown(): Principal {
  return { id: 'unknown', type: 'unknown', class: 'standard' };
}

function first(claims: JsonObject, a: string, b: string): string | undefined {
  return str(claims, a) ?? str(claims, b);
}

/** `identity.claim` (Key Vault, singular) or `identity.claims` (Activity Log, plural). */
function claimsOf(identity: JsonObject): JsonObject | undefined {
  return obj(identity, 'claim') ?? obj(identity, 'claims');
}

// Role-assignment principal types. Managed identities are service principals there, and
// Group / ForeignGroup / Device say nothing about the caller: unknown.
function typeFromEvidence(principalType: string | undefined): PrincipalType {
  switch (principalType?.toLowerCase()) {
    case 'user':
      return 'user';
    case 'serviceprincipal':
      return 'service_account';
    default:
      return 'unknown';
  }
}

function principal(id: string, type: PrincipalType, displayName: string | undefined): Principal {
  const p: Principal = { id, type, class: classifyPrincipal(type, id, displayName) };
  if (displayName !== undefined) p.display_name = displayName;
  return p;
}

/**
 * The caller of an Azure record.
 *
 * Stable id, first present of: UPN (`upn`, its URI form, else `unique_name` / its URI form, which
 * is the UPN of guests and Microsoft accounts), object id, application id (`appid`, v2 `azp`),
 * the Activity Log's `authorization.evidence.principalId`, the plain-string identity (verbatim:
 * its meaning is unknown, e.g. "John Doe"), `unknown`.
 * UPNs and GUIDs are case-insensitive in Entra ID, so the id is lower-cased; a guest's
 * `live.com#` prefix is kept (it is part of how Entra names that account, and stripping it could
 * merge a guest with a same-named member). `display_name` keeps the UPN as written.
 *
 * Type: `xms_mirid` (the managed identity's resource id) → managed_identity; a UPN or
 * `idtyp: user` → user; an application id or `idtyp: app` → service_account; else the Activity
 * Log evidence's principalType; else unknown. A 401 carries no identity: `unknown`.
 */
export function azurePrincipal(record: JsonObject): Principal {
  const identity = record['identity'];
  if (typeof identity === 'string') {
    const trimmed = identity.trim();
    return trimmed === '' ? unknown() : principal(trimmed, 'unknown', trimmed);
  }
  if (!isObject(identity)) return unknown();

  const claims = claimsOf(identity);
  const evidence = obj(obj(identity, 'authorization'), 'evidence');
  const upn = claims && (first(claims, 'upn', UPN_URI) ?? first(claims, 'unique_name', NAME_URI));
  const oid = claims && first(claims, 'oid', OID_URI);
  const appid = claims && first(claims, 'appid', 'azp');
  const idtyp = claims && str(claims, 'idtyp')?.toLowerCase();
  const mirid = claims && str(claims, 'xms_mirid');
  const evidenceId = str(evidence, 'principalId');

  const id = (upn ?? oid ?? appid ?? evidenceId)?.toLowerCase();
  if (id === undefined) return unknown();

  let type: PrincipalType;
  if (mirid !== undefined) type = 'managed_identity';
  else if (upn !== undefined || idtyp === 'user') type = 'user';
  else if (appid !== undefined || idtyp === 'app') type = 'service_account';
  else type = typeFromEvidence(str(evidence, 'principalType'));

  const displayName = upn ?? (claims && str(claims, 'name')) ?? mirid;
  return principal(id, type, displayName);
}
