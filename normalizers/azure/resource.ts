import type { JsonObject } from '../format.js';
import { obj, str } from '../common/json.js';

/**
 * Secret ids and the subscription, from the three places an Azure record names a resource.
 *
 * Canonical secret id: `https://<vault host>/secrets/<name>`, host and name lower-cased (Key
 * Vault names are case-insensitive), without version, port, query or trailing slash, so that
 * every version of a secret and every spelling of its name count as one secret.
 */

// /secrets/<name>[/<version or verb>] or /deletedsecrets/<name> (a deleted secret is still that secret).
const SECRET_URL = /^https?:\/\/([^/?#:]+)(?::\d+)?\/(?:deleted)?secrets\/([^/?#]+)/i;
// ARM id of a secret: .../providers/Microsoft.KeyVault/vaults/<vault>/secrets/<name>
const SECRET_ARM_ID = /\/providers\/microsoft\.keyvault\/vaults\/([^/]+)\/secrets\/([^/]+)/i;
const SUBSCRIPTION = /^\/subscriptions\/([^/]+)/i;

/** Canonical id from a data-plane URL (`properties.id`, `properties.requestUri`), if it names one secret. */
export function secretIdFromUrl(url: string): string | undefined {
  const m = SECRET_URL.exec(url.trim());
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return `https://${m[1].toLowerCase()}/secrets/${m[2].toLowerCase()}`;
}

/**
 * Canonical id from an ARM resource id. The ARM id names the vault, not its DNS host: the public
 * cloud's `vault.azure.net` is assumed (a sovereign-cloud vault then gets a different id from its
 * data-plane records; those clouds are not in scope yet).
 */
export function secretIdFromResourceId(resourceId: string): string | undefined {
  const m = SECRET_ARM_ID.exec(resourceId);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return `https://${m[1].toLowerCase()}.vault.azure.net/secrets/${m[2].toLowerCase()}`;
}

/**
 * The secret a record is about: `properties.id`, else `properties.requestUri` (present on 401s
 * that have no `id`), else a resource id that goes down to `/secrets/<name>` (Activity Log).
 * A vault-level resource id (every Key Vault AuditEvent has one) names no secret: empty list.
 */
export function azureSecretIds(record: JsonObject): string[] {
  const properties = obj(record, 'properties');
  const id = str(properties, 'id');
  const fromId = id === undefined ? undefined : secretIdFromUrl(id);
  if (fromId !== undefined) return [fromId];
  const uri = str(properties, 'requestUri');
  const fromUri = uri === undefined ? undefined : secretIdFromUrl(uri);
  if (fromUri !== undefined) return [fromUri];
  const resourceId = str(record, 'resourceId');
  const fromArm = resourceId === undefined ? undefined : secretIdFromResourceId(resourceId);
  return fromArm === undefined ? [] : [fromArm];
}

/** Subscription id from `/SUBSCRIPTIONS/<id>/...` in any case, lower-cased (it is a GUID). */
export function subscriptionOf(record: JsonObject): string | undefined {
  const resourceId = str(record, 'resourceId');
  if (resourceId === undefined) return undefined;
  const m = SUBSCRIPTION.exec(resourceId);
  return m?.[1]?.toLowerCase();
}
