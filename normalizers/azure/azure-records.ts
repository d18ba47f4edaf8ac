import type { FormatResult, JsonObject, RecordFormat } from '../format.js';
import { isObject } from '../common/json.js';

export const AZURE_RECORDS_FORMAT_NAME = 'azure-records';

/**
 * The `{"records": [...]}` batch that Azure diagnostic settings deliver to Event Hubs and
 * storage, for resource logs (Key Vault AuditEvent) and the Activity Log alike.
 *
 * Lower-case `records` (CloudTrail's is `Records`). Kinesis Firehose HTTP deliveries also carry
 * a lower-case `records` array, of `{"data": base64}` items next to a `requestId`: the first item
 * must look like an Azure record (`operationName`, `resourceId` or `category`), and an empty batch
 * is claimed only without a `requestId`. Only the first item is looked at: matching stays O(1);
 * each child is classified again by the decoder anyway.
 */
export const azureRecordsFormat: RecordFormat = {
  name: AZURE_RECORDS_FORMAT_NAME,

  matches(value: JsonObject): boolean {
    const records = value['records'];
    if (!Array.isArray(records)) return false;
    if (records.length === 0) return !('requestId' in value);
    const head: unknown = records[0];
    return (
      isObject(head) &&
      (typeof head['operationName'] === 'string' ||
        typeof head['resourceId'] === 'string' ||
        typeof head['category'] === 'string')
    );
  },

  decode(value: JsonObject): FormatResult {
    return { kind: 'children', items: value['records'] as readonly unknown[] };
  },
};
