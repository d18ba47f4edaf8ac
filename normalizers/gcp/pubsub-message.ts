import type { JsonObject, RecordFormat } from '../format.js';
import { isObject } from '../common/json.js';
import { pubsubMessagePayload } from './pubsub-message-payload.js';

/**
 * Pub/Sub messages outside a push body, in the shapes a pull consumer or an export writes:
 * - a bare PubsubMessage: `{"data", "messageId" | "message_id" | "attributes" | "publishTime"}`;
 * - one pulled message: `{"ackId" | "ack_id", "message": {...}}`;
 * - a whole pull response: `{"receivedMessages": [...]}` (children, each a pulled message).
 * `data` alone is not enough to match: other envelopes (Kinesis, Firehose) have a `data` too.
 */
export const pubsubMessageFormat: RecordFormat = {
  name: 'gcp_pubsub_message',
  matches(value: JsonObject): boolean {
    const data = value.data;
    if (typeof data === 'string' || data instanceof Uint8Array) {
      return (
        value.messageId !== undefined ||
        value.message_id !== undefined ||
        value.publishTime !== undefined ||
        value.publish_time !== undefined ||
        isObject(value.attributes)
      );
    }
    if (isObject(value.message)) return typeof value.ackId === 'string' || typeof value.ack_id === 'string';
    return Array.isArray(value.receivedMessages) || Array.isArray(value.received_messages);
  },
  decode(value: JsonObject) {
    const received = value.receivedMessages ?? value.received_messages;
    if (Array.isArray(received)) return { kind: 'children', items: received };
    // A bare message has `data` at the top; a pulled one wraps the message (see `matches`).
    if (value.data !== undefined || !isObject(value.message)) return pubsubMessagePayload(value);
    return pubsubMessagePayload(value.message);
  },
};
