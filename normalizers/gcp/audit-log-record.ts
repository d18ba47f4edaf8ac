import type { JsonObject } from '../format.js';
import { obj } from '../common/json.js';
import { field, fieldStr } from './fields.js';

/**
 * The parts of a LogEntry that the AuditLog normalizer reads, whatever the record's shape.
 *
 * Each shape (LogEntry JSON, LogEntry proto with snake_case names, BigQuery / Log Analytics rows)
 * is an adapter that fills this view; `normalizeAuditLog` is the one normalizer. The view holds
 * references into the parsed record, never copies.
 */
export interface AuditLogRecord {
  /** The AuditLog (`protoPayload`), in either spelling. */
  readonly payload: JsonObject;
  readonly timestamp: unknown;
  readonly receiveTimestamp: unknown;
  readonly insertId: string | undefined;
  readonly logName: string | undefined;
  /** The MonitoredResource (`{type, labels}`). */
  readonly resource: JsonObject | undefined;
}

/** The LogEntry-level fields around an AuditLog payload; the field names are shared by every shape. */
export function auditLogRecord(entry: JsonObject, payload: JsonObject): AuditLogRecord {
  return {
    payload,
    timestamp: entry.timestamp,
    receiveTimestamp: field(entry, 'receiveTimestamp', 'receive_timestamp'),
    insertId: fieldStr(entry, 'insertId', 'insert_id'),
    logName: fieldStr(entry, 'logName', 'log_name'),
    resource: obj(entry, 'resource'),
  };
}
