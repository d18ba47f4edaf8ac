import { describe, expect, it } from 'vitest';
import { pubsubMessageFormat } from '../../../normalizers/gcp/pubsub-message.js';
import { pubsubPushFormat } from '../../../normalizers/gcp/pubsub-push.js';

const DATA = Buffer.from('{"insertId":"x"}').toString('base64');

describe('gcp_pubsub_push', () => {
  const body = { message: { data: DATA, attributes: {}, messageId: '1' }, subscription: 'projects/p/subscriptions/s' };

  it('matches a push body and returns its data as a base64 payload', () => {
    expect(pubsubPushFormat.matches(body)).toBe(true);
    expect(pubsubPushFormat.decode(body)).toStrictEqual({ kind: 'payloads', items: [{ kind: 'base64', text: DATA }] });
  });

  it('does not match a pulled message (no subscription) or a bare message', () => {
    expect(pubsubPushFormat.matches({ ackId: 'a', message: { data: DATA } })).toBe(false);
    expect(pubsubPushFormat.matches({ data: DATA, messageId: '1' })).toBe(false);
    expect(pubsubPushFormat.matches({ message: 'text', subscription: 's' })).toBe(false);
  });

  it('skips a message without data and rejects data of the wrong type', () => {
    expect(pubsubPushFormat.decode({ message: { attributes: { a: 'b' } }, subscription: 's' })).toStrictEqual({
      kind: 'skipped',
      reason: 'empty_pubsub_message',
    });
    const wrong = pubsubPushFormat.decode({ message: { data: 42 }, subscription: 's' });
    expect(wrong.kind === 'rejected' && wrong.reason).toBe('malformed_record');
  });
});

describe('gcp_pubsub_message', () => {
  it.each([
    ['messageId', { data: DATA, messageId: '1' }],
    ['message_id', { data: DATA, message_id: '1' }],
    ['publishTime', { data: DATA, publishTime: '2024-03-12T00:00:00Z' }],
    ['attributes', { data: DATA, attributes: {} }],
  ])('matches a bare message with %s', (_name, message) => {
    expect(pubsubMessageFormat.matches(message)).toBe(true);
    expect(pubsubMessageFormat.decode(message)).toStrictEqual({
      kind: 'payloads',
      items: [{ kind: 'base64', text: DATA }],
    });
  });

  it('matches one pulled message ({ackId, message}) in either spelling', () => {
    for (const pulled of [
      { ackId: 'a', message: { data: DATA, messageId: '1' } },
      { ack_id: 'a', message: { data: DATA, message_id: '1' } },
    ]) {
      expect(pubsubMessageFormat.matches(pulled)).toBe(true);
      expect(pubsubMessageFormat.decode(pulled)).toStrictEqual({
        kind: 'payloads',
        items: [{ kind: 'base64', text: DATA }],
      });
    }
  });

  it('turns a pull response into its received messages', () => {
    const items = [{ ackId: 'a', message: { data: DATA } }];
    for (const response of [{ receivedMessages: items }, { received_messages: items }]) {
      expect(pubsubMessageFormat.matches(response)).toBe(true);
      expect(pubsubMessageFormat.decode(response)).toStrictEqual({ kind: 'children', items });
    }
  });

  it('passes raw bytes through when a client library already decoded the proto', () => {
    const bytes = new Uint8Array([123, 125]);
    const message = { data: bytes, message_id: '1' };
    expect(pubsubMessageFormat.matches(message)).toBe(true);
    expect(pubsubMessageFormat.decode(message)).toStrictEqual({ kind: 'payloads', items: [{ kind: 'bytes', bytes }] });
    expect(pubsubMessageFormat.decode({ data: new Uint8Array(), message_id: '1' }).kind).toBe('skipped');
  });

  it('does not claim other envelopes that carry a data field', () => {
    expect(pubsubMessageFormat.matches({ data: DATA })).toBe(false);
    expect(pubsubMessageFormat.matches({ recordId: 'r', approximateArrivalTimestamp: 1, data: DATA })).toBe(false);
    expect(pubsubMessageFormat.matches({ awslogs: { data: DATA } })).toBe(false);
    expect(pubsubMessageFormat.matches({ message: { data: DATA } })).toBe(false);
    expect(pubsubMessageFormat.matches({ data: { nested: true }, messageId: '1' })).toBe(false);
  });
});
