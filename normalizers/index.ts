import { awsFormats } from './aws/index.js';
import { azureFormats } from './azure/index.js';
import type { RecordFormat } from './format.js';
import { gcpFormats } from './gcp/index.js';

/**
 * Every format the decoder tries, in order. Provider envelope and record keys do not overlap
 * (CloudTrail `Records` vs Azure `records`, Pub/Sub `message`...), so provider order only decides
 * how soon the most common record is recognized: CloudTrail first.
 */
export const allFormats: readonly RecordFormat[] = [...awsFormats, ...gcpFormats, ...azureFormats];
