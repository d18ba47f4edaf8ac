import type { RecordFormat } from '../format.js';
import { isObject } from '../common/json.js';
import { normalizeCloudTrailRecord } from './normalize-record.js';
import { screenRawCloudTrailRecord } from './raw-record-screen.js';

/**
 * One CloudTrail record, wherever it came from: an element of a log file's `Records`, a
 * CloudWatch Logs message, a JSON line, an S3/SIEM export.
 *
 * Recognized by `eventSource` + `eventName` (every API and service event has both), or by
 * `eventVersion` + `userIdentity` so that a broken record is rejected with a reason here instead of
 * falling through as an unknown format.
 *
 * Its pre-parse screen counts raw CloudTrail records of services that hold no secrets (most of a
 * raw CloudTrail stream) as unrelated without parsing them: see `raw-record-screen.ts`.
 */
export const cloudTrailRecordFormat: RecordFormat = {
  name: 'cloudtrail-record',
  matches(value) {
    return (
      (typeof value['eventSource'] === 'string' && typeof value['eventName'] === 'string') ||
      (value['eventVersion'] !== undefined && isObject(value['userIdentity']))
    );
  },
  decode(value) {
    return normalizeCloudTrailRecord(value);
  },
  screenUnrelated(text) {
    return screenRawCloudTrailRecord(text);
  },
};
