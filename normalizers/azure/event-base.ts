import type { CloudContext, SecretAction, Source } from '../schema.js';
import type { FormatResult, JsonObject, NormalizedEvent } from '../format.js';
import { obj, str } from '../common/json.js';
import { splitSourceAddress } from '../common/ip.js';
import { formatEventTime, parseEventTime } from '../common/time.js';
import { azureOutcome } from './outcome.js';
import { azurePrincipal } from './identity.js';
import { azureSecretIds, subscriptionOf } from './resource.js';

// Event Hubs / storage deliveries write `time`; Log Analytics exports write `TimeGenerated`, and
// some older exports `timeStamp`.
const TIME_KEYS = ['time', 'TimeGenerated', 'timeStamp'] as const;

function rawTime(record: JsonObject): unknown {
  for (const key of TIME_KEYS) {
    const v = record[key];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function sourceOf(record: JsonObject): Source {
  const source: Source = splitSourceAddress(record['callerIpAddress']);
  const properties = obj(record, 'properties');
  // Key Vault puts the SDK's user agent in properties.clientInfo (sometimes just an app id);
  // other Azure logs use a `userAgent` field.
  const agent = str(properties, 'clientInfo') ?? str(properties, 'userAgent') ?? str(record, 'userAgent');
  if (agent !== undefined) source.user_agent = agent;
  return source;
}

function cloudOf(record: JsonObject): CloudContext {
  const cloud: CloudContext = {};
  const account = subscriptionOf(record);
  if (account !== undefined) cloud.account = account;
  const region = str(record, 'location');
  if (region !== undefined) cloud.region = region;
  return cloud;
}

/**
 * Builds the one event an Azure record describes, once its format has decided the action.
 *
 * `event_id` is `<correlationId>|<operationName>|<time as written>`: the correlationId comes from
 * the client's request and can repeat across the records of one request (retries, the 401
 * challenge and its authenticated retry), so it alone is not unique; the operation and the
 * 100 ns time make it so, while an at-least-once re-delivery of the same record keeps the same
 * id. Without a correlationId the record has no provider id and no `event_id` is set.
 */
export function azureEvent(record: JsonObject, operation: string, action: SecretAction): FormatResult {
  const timeValue = rawTime(record);
  if (timeValue === undefined) {
    return { kind: 'rejected', reason: 'missing_time', detail: `${operation}: no time, TimeGenerated or timeStamp` };
  }
  const timeMs = parseEventTime(timeValue);
  if (timeMs === undefined) {
    const shown = typeof timeValue === 'string' ? timeValue.slice(0, 64) : typeof timeValue;
    return { kind: 'rejected', reason: 'invalid_time', detail: `${operation}: unusable time ${shown}` };
  }

  const result = azureOutcome(record);
  const event: NormalizedEvent = {
    time: formatEventTime(timeMs),
    time_ms: timeMs,
    provider: 'azure',
    service: 'keyvault',
    operation,
    action,
    outcome: result.outcome,
    ...(result.error_code !== undefined ? { error_code: result.error_code } : undefined),
    principal: azurePrincipal(record),
    source: sourceOf(record),
    cloud: cloudOf(record),
    secrets: azureSecretIds(record),
  };
  const correlationId = str(record, 'correlationId');
  if (correlationId !== undefined) event.event_id = `${correlationId}|${operation}|${String(timeValue)}`;
  return { kind: 'events', events: [event] };
}
