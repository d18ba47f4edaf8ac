import type { RecordFormat } from '../format.js';
import { azureRecordsFormat } from './azure-records.js';
import { keyVaultAuditEventFormat } from './keyvault-auditevent.js';
import { activityLogFormat } from './activity-log.js';

/** Azure formats in the order the decoder must try them: the envelope first. */
export const azureFormats: readonly RecordFormat[] = [azureRecordsFormat, keyVaultAuditEventFormat, activityLogFormat];
