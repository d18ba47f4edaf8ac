import type { FormatResult, JsonObject, NormalizedEvent } from '../format.js';
import type { CloudContext, Source } from '../schema.js';
import { arr, isObject } from '../common/json.js';
import { splitSourceAddress } from '../common/ip.js';
import { eventTime } from './event-time.js';
import type { EventTime } from './event-time.js';
import { awsOperation } from './operations.js';
import type { AwsOperation } from './operations.js';
import { awsPrincipal } from './principal.js';
import { recordSecretIds } from './record-secret-ids.js';
import { object, text } from './value.js';

/**
 * Values an envelope knows that its CloudTrail record may lack (EventBridge `time`, `region`,
 * `account`, and `source` as `aws.secretsmanager`). Used only where the record has nothing.
 */
export interface EnvelopeFallbacks {
  readonly time?: unknown;
  readonly region?: string;
  readonly account?: string;
  readonly eventSource?: string;
}

/**
 * One CloudTrail record to one result: a secret access event, `unrelated`, or `rejected`.
 *
 * Relevance is decided before the time is checked: a record that is not a secret access is
 * `unrelated` whatever its time, so the dead-letter counts only records we would have used.
 * The record is read in place: nothing is copied or serialized.
 */
export function normalizeCloudTrailRecord(record: JsonObject, fallbacks?: EnvelopeFallbacks): FormatResult {
  const eventSource = text(record['eventSource']) ?? fallbacks?.eventSource;
  const eventName = text(record['eventName']);
  if (eventSource === undefined || eventName === undefined) {
    return { kind: 'rejected', reason: 'malformed_record', detail: 'CloudTrail record without eventSource or eventName' };
  }
  const op = awsOperation(eventSource, eventName, record);
  if (typeof op === 'string') return { kind: 'unrelated', reason: op };

  let rawTime = record['eventTime'];
  if (rawTime === undefined || rawTime === null || rawTime === '') rawTime = fallbacks?.time;
  if (rawTime === undefined || rawTime === null || rawTime === '') {
    return { kind: 'rejected', reason: 'missing_time', detail: `${eventName} record without eventTime` };
  }
  const time = eventTime(rawTime);
  if (time === undefined) {
    return { kind: 'rejected', reason: 'invalid_time', detail: `eventTime ${describe(rawTime)} is not a time` };
  }
  return { kind: 'events', events: [buildEvent(record, eventName, op, time, fallbacks)] };
}

function buildEvent(
  record: JsonObject,
  eventName: string,
  op: AwsOperation,
  time: EventTime,
  fallbacks: EnvelopeFallbacks | undefined,
): NormalizedEvent {
  const identity = object(record['userIdentity']);
  const region = text(record['awsRegion']) ?? fallbacks?.region;
  const account = text(record['recipientAccountId']) ?? fallbacks?.account ?? text(identity?.['accountId']);

  const source: Source = splitSourceAddress(record['sourceIPAddress']);
  const userAgent = text(record['userAgent']);
  if (userAgent !== undefined) source.user_agent = userAgent;
  const vpce = text(record['vpcEndpointId']);
  if (vpce !== undefined) source.vpc_endpoint_id = vpce;

  const cloud: CloudContext = {};
  if (account !== undefined) cloud.account = account;
  if (region !== undefined) cloud.region = region;

  const errorCode = text(record['errorCode']);
  const event: NormalizedEvent = {
    time: time.iso,
    time_ms: time.ms,
    provider: 'aws',
    service: op.service,
    operation: eventName,
    action: op.action,
    outcome: errorCode === undefined ? 'success' : 'failure',
    principal: awsPrincipal(identity, region),
    source,
    cloud,
    secrets: recordSecretIds(record, op.ids, region, account),
  };
  if (errorCode !== undefined) event.error_code = errorCode;
  if (op.decrypted !== undefined) event.decrypted = op.decrypted;
  if (op.action === 'batch_read') {
    const filters = batchFilters(record);
    if (filters !== undefined) event.batch_filters = filters;
  }
  const eventId = text(record['eventID']);
  if (eventId !== undefined) event.event_id = eventId;
  return event;
}

/** BatchGetSecretValue `filters: [{key, values}]`, keeping only well-formed strings. */
function batchFilters(record: JsonObject): { key: string; values: string[] }[] | undefined {
  const filters = arr(object(record['requestParameters']), 'filters');
  if (filters === undefined || filters.length === 0) return undefined;
  const out: { key: string; values: string[] }[] = [];
  for (const f of filters) {
    if (!isObject(f)) continue;
    const values: string[] = [];
    for (const v of arr(f, 'values') ?? []) if (typeof v === 'string') values.push(v);
    out.push({ key: text(f['key']) ?? '', values });
  }
  return out.length === 0 ? undefined : out;
}

/** A short, safe rendering of a bad value for a rejection detail. */
function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 64 ? value.slice(0, 64) + '...' : value}"`;
  return typeof value;
}
