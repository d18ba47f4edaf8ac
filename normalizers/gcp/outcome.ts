import type { JsonObject } from '../format.js';
import { isObject, obj } from '../common/json.js';
import { fieldArr } from './fields.js';
import { grpcErrorCode } from './status-codes.js';

/**
 * The error code of a failed call, or undefined when it succeeded.
 *
 * `status.code` decides when it is non-zero. Without one, a denied authorization check
 * (`authorizationInfo[].granted === false`; BigQuery exports write the string `"false"`) is a
 * PERMISSION_DENIED: some denials are logged with an empty status.
 */
export function failureCode(payload: JsonObject): string | undefined {
  const fromStatus = grpcErrorCode(obj(payload, 'status')?.code);
  if (fromStatus !== undefined) return fromStatus;
  const authz = fieldArr(payload, 'authorizationInfo', 'authorization_info');
  if (authz === undefined) return undefined;
  for (const entry of authz) {
    if (isObject(entry) && (entry.granted === false || entry.granted === 'false')) return 'PERMISSION_DENIED';
  }
  return undefined;
}
