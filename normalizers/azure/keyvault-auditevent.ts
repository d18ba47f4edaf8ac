import type { FormatResult, JsonObject, RecordFormat } from '../format.js';
import { azureEvent } from './event-base.js';
import { KEYVAULT_SECRET_ACTIONS, KEYVAULT_SECRET_WRITES } from './keyvault-operations.js';

export const KEYVAULT_AUDITEVENT_FORMAT_NAME = 'keyvault-auditevent';

/**
 * One Key Vault data-plane record (`category: AuditEvent`): `{"time", "resourceId",
 * "operationName": "SecretGet", "identity": {"claim": {...}}, "properties": {...}, ...}`.
 *
 * Recognized by shape, not by category: an Azure resource-log record (it has a `resourceId` or a
 * `category`) whose `operationName` is a bare word. Test data and some pipelines rewrite the
 * category (the corpus has SecretGet under "NonExistentCategory"), and operations with a `/` are
 * Activity Log / ARM operations, handled by `activity-log`. Bare-word operations of other
 * services in the same Event Hub come out as `unrelated`, not as unknown formats.
 */
export const keyVaultAuditEventFormat: RecordFormat = {
  name: KEYVAULT_AUDITEVENT_FORMAT_NAME,

  matches(value: JsonObject): boolean {
    const op = value['operationName'];
    if (typeof op !== 'string' || op === '' || op.includes('/')) return false;
    return typeof value['resourceId'] === 'string' || typeof value['category'] === 'string';
  },

  decode(value: JsonObject): FormatResult {
    const operation = value['operationName'] as string;
    const key = operation.toLowerCase();
    const action = KEYVAULT_SECRET_ACTIONS.get(key);
    if (action === undefined) {
      return KEYVAULT_SECRET_WRITES.has(key)
        ? { kind: 'unrelated', reason: `secret_write:${operation}` }
        : { kind: 'unrelated', reason: `not_a_secret_read:${operation}` };
    }
    return azureEvent(value, operation, action);
  },
};
