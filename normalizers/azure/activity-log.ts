import type { FormatResult, JsonObject, RecordFormat } from '../format.js';
import { str } from '../common/json.js';
import { azureEvent } from './event-base.js';
import { ACTIVITY_SECRET_ACTIONS, ACTIVITY_SECRET_PREFIX } from './activity-operations.js';

export const ACTIVITY_LOG_FORMAT_NAME = 'activity-log';

/**
 * One Azure Activity Log record as diagnostic settings export it: `operationName` is an RBAC
 * operation (`Microsoft.KeyVault/vaults/secrets/getSecret/action`, any case), the caller is in
 * `identity.claims` (plural) and `identity.authorization.evidence`.
 *
 * Recognized by an `operationName` containing `/` on a resource-log shaped record; other
 * services' operations (diagnostic settings writes, Media Services reads...) are `unrelated`.
 */
export const activityLogFormat: RecordFormat = {
  name: ACTIVITY_LOG_FORMAT_NAME,

  matches(value: JsonObject): boolean {
    const op = value['operationName'];
    if (typeof op !== 'string' || !op.includes('/')) return false;
    return typeof value['resourceId'] === 'string' || typeof value['category'] === 'string';
  },

  decode(value: JsonObject): FormatResult {
    const operation = value['operationName'] as string;
    const key = operation.toLowerCase();
    const action = ACTIVITY_SECRET_ACTIONS.get(key);
    if (action === undefined) {
      return key.startsWith(ACTIVITY_SECRET_PREFIX)
        ? { kind: 'unrelated', reason: `secret_write:${operation}` }
        : { kind: 'unrelated', reason: `not_a_secret_read:${operation}` };
    }
    // ARM logs an operation twice, "Start" (resultSignature "Started.") and then its end
    // ("Success"/"Failure", same correlationId): only the end is the access, or every read
    // would count twice.
    if (str(value, 'resultType')?.toLowerCase() === 'start' || str(value, 'resultSignature')?.startsWith('Started')) {
      return { kind: 'unrelated', reason: `operation_started:${operation}` };
    }
    return azureEvent(value, operation, action);
  },
};
