import type { RecordFormat } from '../format.js';
import { isObject } from '../common/json.js';
import { object, text } from './value.js';

/**
 * The event a Lambda function receives from a CloudWatch Logs subscription:
 * `{"awslogs": {"data": "<base64 of the gzipped subscription payload>"}}`.
 *
 * Only unwrapped here: the decoder turns the base64 into gzip into JSON, and the payload is then
 * recognized as `cloudwatch-logs`.
 */
export const lambdaAwsLogsFormat: RecordFormat = {
  name: 'lambda-awslogs',
  matches(value) {
    return isObject(value['awslogs']);
  },
  decode(value) {
    const data = text(object(value['awslogs'])?.['data']);
    if (data === undefined) {
      return { kind: 'rejected', reason: 'malformed_record', detail: 'awslogs envelope without a data string' };
    }
    return { kind: 'payloads', items: [{ kind: 'base64', text: data }] };
  },
};
