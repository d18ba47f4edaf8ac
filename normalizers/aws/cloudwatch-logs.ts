import type { Payload, RecordFormat } from '../format.js';
import { isObject } from '../common/json.js';

/**
 * A CloudWatch Logs subscription payload, decoded (what Kinesis, Firehose and Lambda deliver
 * after base64 and gzip): `{messageType, owner, logGroup, logStream, logEvents: [{id, timestamp,
 * message}]}`.
 *
 * - `DATA_MESSAGE`: each `message` is one log line as text. For a CloudTrail log group it is a
 *   CloudTrail record serialized as JSON, so it goes back to the decoder as a text payload; lines
 *   that are not JSON are the decoder's to reject.
 * - `CONTROL_MESSAGE`: CloudWatch Logs checking that the destination is reachable. It carries no
 *   record and is skipped, not counted.
 */
export const cloudWatchLogsFormat: RecordFormat = {
  name: 'cloudwatch-logs',
  matches(value) {
    return typeof value['messageType'] === 'string' && ('logEvents' in value || 'logGroup' in value);
  },
  decode(value) {
    const type = value['messageType'];
    if (type === 'CONTROL_MESSAGE') return { kind: 'skipped', reason: 'cloudwatch_control_message' };
    if (type !== 'DATA_MESSAGE') {
      return { kind: 'rejected', reason: 'malformed_record', detail: `unknown CloudWatch Logs messageType "${String(type).slice(0, 64)}"` };
    }
    const logEvents = value['logEvents'];
    if (!Array.isArray(logEvents)) {
      return { kind: 'rejected', reason: 'malformed_record', detail: 'DATA_MESSAGE without a logEvents array' };
    }
    const items: Payload[] = [];
    let dropped = 0;
    for (const e of logEvents) {
      const message = isObject(e) ? e['message'] : undefined;
      if (typeof message === 'string') items.push({ kind: 'text', text: message });
      else dropped++;
    }
    // A log event without a text message cannot come from CloudWatch Logs: if nothing usable is
    // left, the whole payload is malformed (otherwise the good events still go through).
    if (items.length === 0 && dropped > 0) {
      return { kind: 'rejected', reason: 'malformed_record', detail: `${dropped} logEvents without a message string` };
    }
    return { kind: 'payloads', items };
  },
};
