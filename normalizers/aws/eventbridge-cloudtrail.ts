import type { RecordFormat } from '../format.js';
import { isObject } from '../common/json.js';
import { normalizeCloudTrailRecord } from './normalize-record.js';
import type { EnvelopeFallbacks } from './normalize-record.js';
import { text } from './value.js';

/** EventBridge detail types whose `detail` is a CloudTrail record. */
const CLOUDTRAIL_DETAIL_TYPES = new Set([
  'AWS API Call via CloudTrail',
  'AWS Service Event via CloudTrail',
  'AWS Console Sign In via CloudTrail',
  'AWS Console Action via CloudTrail',
]);

/**
 * An EventBridge event (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`,
 * `detail`), as delivered to SQS, Lambda, Firehose or an API destination.
 *
 * Normalized here directly, not returned as `children`: the `detail` of a CloudTrail event may
 * lack fields that only the envelope carries (the corpus has a Secrets Manager event whose detail
 * has no `eventSource`, `userIdentity` or `sourceIPAddress`), and a child is classified without
 * its envelope. So the detail is read in place with the envelope's `time`, `region`, `account`
 * and `source` (`aws.secretsmanager` -> `secretsmanager.amazonaws.com`) as fallbacks for missing
 * fields, without copying or merging objects. The cost: `raw.format` is just this format's name.
 *
 * Other detail types (rotation notifications, custom events) are unrelated.
 */
export const eventBridgeCloudTrailFormat: RecordFormat = {
  name: 'eventbridge-cloudtrail',
  matches(value) {
    return typeof value['detail-type'] === 'string' && 'detail' in value;
  },
  decode(value) {
    const detailType = text(value['detail-type']) ?? '';
    if (!CLOUDTRAIL_DETAIL_TYPES.has(detailType)) {
      return { kind: 'unrelated', reason: `eventbridge_detail_type:${detailType}` };
    }
    const detail = value['detail'];
    if (!isObject(detail)) {
      return { kind: 'rejected', reason: 'malformed_record', detail: `"${detailType}" event without a detail object` };
    }
    const fallbacks: EnvelopeFallbacks = {
      time: value['time'],
      region: text(value['region']),
      account: text(value['account']),
      eventSource: detail['eventSource'] === undefined ? serviceHost(text(value['source'])) : undefined,
    };
    return normalizeCloudTrailRecord(detail, fallbacks);
  },
};

/** EventBridge `source` `aws.secretsmanager` -> CloudTrail `eventSource` `secretsmanager.amazonaws.com`. */
function serviceHost(source: string | undefined): string | undefined {
  return source !== undefined && source.startsWith('aws.') && source.length > 4 ? `${source.slice(4)}.amazonaws.com` : undefined;
}
