import type { JsonObject, RecordFormat } from '../format.js';
import { isObject, str } from '../common/json.js';
import { auditLogRecord } from './audit-log-record.js';
import { normalizeAuditLog } from './normalize-audit-log.js';

const AUDIT_LOG_TYPE = 'google.cloud.audit.AuditLog';

/**
 * A Cloud Logging LogEntry, as JSON (`protoPayload`, `logName`, `insertId`) or as a proto decoded
 * with keepCase (`proto_payload`, `log_name`, `insert_id`).
 *
 * Entries without a payload, or whose payload is not an AuditLog (`@type` says otherwise), are
 * `unrelated`: a Pub/Sub sink delivers every log it was told to, not only audit logs. A payload
 * without `@type` is read as an AuditLog (hand-trimmed samples drop it; Panther's renames it
 * `at_sign_type`).
 */
export const logEntryFormat: RecordFormat = {
  name: 'gcp_logentry',
  matches(value: JsonObject): boolean {
    return (
      isObject(value.protoPayload) ||
      isObject(value.proto_payload) ||
      typeof value.logName === 'string' ||
      typeof value.log_name === 'string' ||
      typeof value.insertId === 'string' ||
      typeof value.insert_id === 'string'
    );
  },
  decode(value: JsonObject) {
    const raw = value.protoPayload ?? value.proto_payload;
    if (raw === undefined || raw === null) return { kind: 'unrelated', reason: 'no_proto_payload' };
    if (!isObject(raw)) return { kind: 'rejected', reason: 'malformed_record', detail: 'protoPayload is not an object' };
    const type = str(raw, '@type') ?? str(raw, 'at_sign_type');
    if (type !== undefined && !type.endsWith(AUDIT_LOG_TYPE)) return { kind: 'unrelated', reason: 'not_audit_log' };
    return normalizeAuditLog(auditLogRecord(value, raw));
  },
};
