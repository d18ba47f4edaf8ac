import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import type { LogRecordInput } from '../otlp/alert-records.js';
import { millisToHrTime } from '../otlp/hr-time.js';

export const EVENT_NAME = 'secretwatch.secret_access';
const SEVERITY_INFO = 9;

type Body = NonNullable<LogRecordInput['body']>;

/** A copy without `undefined` members: they would become empty OTLP values in the map. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
  return out;
}

/**
 * One normalized event as an OpenTelemetry log record: the whole event as a map body (the same
 * fields as the JSON line `normalize` prints), and the fields people filter on as attributes, with
 * semantic-convention names where they exist (as in alerts).
 */
export function eventLogRecord(event: SecretAccessEvent, observedMs: number): LogRecordInput {
  const attributes: Record<string, string> = {
    'cloud.provider': event.provider,
    'secretwatch.service': event.service,
    'secretwatch.operation': event.operation,
    'secretwatch.action': event.action,
    'secretwatch.outcome': event.outcome,
    'user.id': event.principal.id,
    'secretwatch.principal.type': event.principal.type,
    'secretwatch.principal.class': event.principal.class,
  };
  if (event.source.ip !== undefined) attributes['client.address'] = event.source.ip;
  if (event.cloud.account !== undefined) attributes['cloud.account.id'] = event.cloud.account;
  if (event.cloud.region !== undefined) attributes['cloud.region'] = event.cloud.region;
  if (event.error_code !== undefined) attributes['error.type'] = event.error_code;
  if (event.event_id !== undefined) attributes['secretwatch.event.id'] = event.event_id;
  return {
    eventName: EVENT_NAME,
    timestamp: millisToHrTime(event.time_ms),
    observedTimestamp: millisToHrTime(observedMs),
    severityNumber: SEVERITY_INFO,
    severityText: 'INFO',
    body: plain(event) as Body,
    attributes,
    context: ROOT_CONTEXT,
  };
}
