import type { RecordFormat } from '../format.js';

/**
 * A CloudTrail log file as delivered to S3 (`{"Records": [...]}`), also the body of many S3 and
 * SIEM exports. Its records are classified again one by one.
 *
 * The same bucket holds digest files (`digestStartTime`, `logFiles[]`, no `Records`): integrity
 * proofs that name log files but contain no event. They are recognized here so that they are
 * counted as unrelated rather than rejected as an unknown format.
 */
export const cloudTrailLogFileFormat: RecordFormat = {
  name: 'cloudtrail-log-file',
  matches(value) {
    return Array.isArray(value['Records']) || (typeof value['digestStartTime'] === 'string' && Array.isArray(value['logFiles']));
  },
  decode(value) {
    const records = value['Records'];
    if (Array.isArray(records)) return { kind: 'children', items: records };
    return { kind: 'unrelated', reason: 'cloudtrail_digest' };
  },
};
