import type { RecordFormat } from '../format.js';
import { logEntryBigQueryFormat } from './logentry-bigquery.js';
import { logEntryFormat } from './logentry.js';
import { pubsubMessageFormat } from './pubsub-message.js';
import { pubsubPushFormat } from './pubsub-push.js';

/**
 * GCP formats in matching order: envelopes first (a push body also has a `message` object, so it
 * is tested before the pulled-message form), then the BigQuery / Log Analytics rows (whose
 * `proto_payload.audit_log` would otherwise look like a keepCase LogEntry), then the LogEntry.
 */
export const gcpFormats: readonly RecordFormat[] = [
  pubsubPushFormat,
  pubsubMessageFormat,
  logEntryBigQueryFormat,
  logEntryFormat,
];
