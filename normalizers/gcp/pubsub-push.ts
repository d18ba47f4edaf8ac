import type { JsonObject, RecordFormat } from '../format.js';
import { isObject } from '../common/json.js';
import { pubsubMessagePayload } from './pubsub-message-payload.js';

/**
 * The body of a Pub/Sub push delivery: `{"message": {"data", "attributes", "messageId", ...},
 * "subscription": "projects/p/subscriptions/s"}`. A Cloud Logging sink to Pub/Sub puts one
 * LogEntry, as JSON, in `data`.
 */
export const pubsubPushFormat: RecordFormat = {
  name: 'gcp_pubsub_push',
  matches(value: JsonObject): boolean {
    return isObject(value.message) && typeof value.subscription === 'string';
  },
  decode(value: JsonObject) {
    const message = value.message;
    if (!isObject(message)) return { kind: 'rejected', reason: 'malformed_record', detail: 'push body without message' };
    return pubsubMessagePayload(message);
  },
};
