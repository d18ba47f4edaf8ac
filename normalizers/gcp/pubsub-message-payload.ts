import type { FormatResult, JsonObject } from '../format.js';

/**
 * The payload of one Pub/Sub message: `data` is base64 in JSON (push, REST pull) and raw bytes
 * when a client library hands over the decoded proto. The decoder decodes it like a fresh input.
 * A message without data (attributes only) carries no record: skipped, not counted.
 */
export function pubsubMessagePayload(message: JsonObject): FormatResult {
  const data = message.data;
  if (data === undefined || data === null || data === '') return { kind: 'skipped', reason: 'empty_pubsub_message' };
  if (typeof data === 'string') return { kind: 'payloads', items: [{ kind: 'base64', text: data }] };
  if (data instanceof Uint8Array) {
    return data.length === 0
      ? { kind: 'skipped', reason: 'empty_pubsub_message' }
      : { kind: 'payloads', items: [{ kind: 'bytes', bytes: data }] };
  }
  return { kind: 'rejected', reason: 'malformed_record', detail: 'Pub/Sub message data is neither a string nor bytes' };
}
