import type { JsonObject } from '../format.js';
import { isObject, obj, str } from '../common/json.js';
import { fieldArr, fieldObj, fieldStr } from './fields.js';

/**
 * `projects/<p>/secrets/<s>` (global secrets) or `projects/<p>/locations/<l>/secrets/<s>` (regional
 * secrets, a different secret from a global one of the same name), optionally written as a full
 * resource name (`//secretmanager.googleapis.com/...`) and followed by `/versions/<v>`, which is
 * dropped: `versions/latest` and `versions/3` are the same secret for every detector.
 */
const SECRET_PATH =
  /^(?:\/\/secretmanager\.googleapis\.com\/)?(projects\/[^/]+\/(?:locations\/[^/]+\/)?secrets\/[^/]+)(?:\/|$)/;

/** The canonical secret id in a resource name, or undefined when it names no secret (`projects/p`). */
export function canonicalSecretId(resource: string | undefined): string | undefined {
  if (resource === undefined || !resource.includes('/secrets/')) return undefined;
  return SECRET_PATH.exec(resource)?.[1];
}

/**
 * The secret an AuditLog is about, as a 0- or 1-element list.
 *
 * Every Secret Manager method acts on one resource, so the first name that parses wins:
 * `resourceName`, then `request.name`, then `authorizationInfo[].resource` /
 * `resourceAttributes.name`. Taking one rather than the union matters: the fields can spell the
 * project differently (number vs id), and a union would count one secret twice. The id keeps the
 * project as the record spells it; a project number and a project id for the same project are
 * NOT reconciled (that needs a project lookup, which a pure normalizer cannot do).
 */
export function secretIds(payload: JsonObject): string[] {
  const id =
    canonicalSecretId(fieldStr(payload, 'resourceName', 'resource_name')) ??
    canonicalSecretId(str(obj(payload, 'request'), 'name')) ??
    fromAuthorizationInfo(payload);
  return id === undefined ? [] : [id];
}

function fromAuthorizationInfo(payload: JsonObject): string | undefined {
  const authz = fieldArr(payload, 'authorizationInfo', 'authorization_info');
  if (authz === undefined) return undefined;
  for (const entry of authz) {
    if (!isObject(entry)) continue;
    const id =
      canonicalSecretId(str(entry, 'resource')) ??
      canonicalSecretId(str(fieldObj(entry, 'resourceAttributes', 'resource_attributes'), 'name'));
    if (id !== undefined) return id;
  }
  return undefined;
}
