import type { JsonObject, RecordFormat } from '../format.js';
import { obj } from '../common/json.js';
import { auditLogRecord } from './audit-log-record.js';
import { normalizeAuditLog } from './normalize-audit-log.js';

/**
 * Audit log rows exported to BigQuery, an adapter onto the LogEntry normalizer.
 *
 * Two row shapes exist: the BigQuery sink's `protopayload_auditlog` column (camelCase inside,
 * null for empty columns, `granted` sometimes the string "true", `request` flattened to the
 * `requestJson` string) and Log Analytics' `proto_payload.audit_log` (snake_case inside, with
 * `log_name`, `insert_id`, `receive_timestamp`). Both hold an AuditLog and the usual LogEntry
 * columns, which the shared dual-spelling reads already cover. `requestJson` is not parsed:
 * `resourceName` and `authorizationInfo` already name the secret.
 */
export const logEntryBigQueryFormat: RecordFormat = {
  name: 'gcp_logentry_bigquery',
  matches(value: JsonObject): boolean {
    return bigQueryPayload(value) !== undefined;
  },
  decode(value: JsonObject) {
    const payload = bigQueryPayload(value);
    if (payload === undefined) return { kind: 'rejected', reason: 'malformed_record', detail: 'no protopayload_auditlog' };
    return normalizeAuditLog(auditLogRecord(value, payload));
  },
};

function bigQueryPayload(value: JsonObject): JsonObject | undefined {
  return obj(value, 'protopayload_auditlog') ?? obj(obj(value, 'proto_payload'), 'audit_log');
}
