import type { RecordFormat } from '../format.js';
import { cloudTrailLogFileFormat } from './cloudtrail-log-file.js';
import { cloudTrailRecordFormat } from './cloudtrail-record.js';
import { cloudWatchLogsFormat } from './cloudwatch-logs.js';
import { eventBridgeCloudTrailFormat } from './eventbridge-cloudtrail.js';
import { lambdaAwsLogsFormat } from './lambda-awslogs.js';

/**
 * The AWS formats in the order the decoder must try them: envelopes first, the bare CloudTrail
 * record last. No envelope carries `eventSource`/`eventName` at its top level, and a record never
 * has `Records`, `awslogs`, `messageType` or `detail-type`, so the order only matters for odd
 * input; putting the record last keeps its looser `eventVersion` + `userIdentity` test from
 * claiming an envelope.
 */
export const awsFormats: readonly RecordFormat[] = [
  cloudTrailLogFileFormat,
  lambdaAwsLogsFormat,
  cloudWatchLogsFormat,
  eventBridgeCloudTrailFormat,
  cloudTrailRecordFormat,
];
