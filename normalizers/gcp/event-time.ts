import type { JsonObject } from '../format.js';
import { isObject } from '../common/json.js';
import { parseEventTime } from '../common/time.js';
import type { AuditLogRecord } from './audit-log-record.js';
import { fieldObj } from './fields.js';

/** Epoch milliseconds, or why there is no usable time. */
export type GcpTime = number | 'missing_time' | 'invalid_time';

/**
 * Event time of an audit record: `timestamp`, else `requestMetadata.requestAttributes.time` (the
 * only time in some hand-exported samples, such as Stratus Red Team's), else `receiveTimestamp`
 * (the ingestion time, a second or so late: better than losing the read).
 *
 * A present but unparseable candidate falls through to the next one; the record is rejected as
 * `invalid_time` only when no candidate parses, and as `missing_time` when none is present.
 */
export function gcpEventTime(record: AuditLogRecord): GcpTime {
  const fromTimestamp = toMillis(record.timestamp);
  if (typeof fromTimestamp === 'number') return fromTimestamp;
  const fromRequest = toMillis(requestTime(record.payload));
  if (typeof fromRequest === 'number') return fromRequest;
  const fromReceive = toMillis(record.receiveTimestamp);
  if (typeof fromReceive === 'number') return fromReceive;
  return fromTimestamp === 'invalid' || fromRequest === 'invalid' || fromReceive === 'invalid'
    ? 'invalid_time'
    : 'missing_time';
}

function requestTime(payload: JsonObject): unknown {
  const attrs = fieldObj(fieldObj(payload, 'requestMetadata', 'request_metadata'), 'requestAttributes', 'request_attributes');
  return attrs?.time;
}

/**
 * ISO strings and epoch-millisecond numbers via the shared parser, plus the proto Timestamp
 * object `{seconds, nanos}` that a proto decoder produces (seconds as a number or, for 64-bit
 * safety, a decimal string).
 */
function toMillis(value: unknown): number | 'absent' | 'invalid' {
  if (value === undefined || value === null || value === '') return 'absent';
  if (!isObject(value)) return parseEventTime(value) ?? 'invalid';
  const seconds = typeof value.seconds === 'string' ? Number(value.seconds) : value.seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return 'invalid';
  const nanos = value.nanos;
  const extra = typeof nanos === 'number' && Number.isFinite(nanos) ? Math.floor(nanos / 1_000_000) : 0;
  return Math.trunc(seconds) * 1000 + extra;
}
