import type { FormatResult, NormalizedEvent } from '../format.js';
import { formatEventTime } from '../common/time.js';
import { obj, str } from '../common/json.js';
import type { AuditLogRecord } from './audit-log-record.js';
import { gcpCloud } from './cloud-context.js';
import { gcpEventTime } from './event-time.js';
import { fieldObj, fieldStr } from './fields.js';
import { failureCode } from './outcome.js';
import { gcpPrincipal } from './principal.js';
import { secretIds } from './secret-name.js';
import { secretManagerAction, shortMethodName } from './secret-methods.js';
import { gcpSource } from './source.js';

const SECRET_MANAGER = 'secretmanager.googleapis.com';

/**
 * The one GCP normalizer: an AuditLog (in any record shape, see `AuditLogRecord`) to a
 * Secret Manager access event, or `unrelated` / `rejected`.
 *
 * Relevance is decided before time, so that records of other services never count as
 * rejected for a missing time.
 */
export function normalizeAuditLog(record: AuditLogRecord): FormatResult {
  const { payload } = record;
  const service =
    fieldStr(payload, 'serviceName', 'service_name') ?? str(obj(record.resource, 'labels'), 'service');
  if (service !== SECRET_MANAGER) {
    return { kind: 'unrelated', reason: service === undefined ? 'no_service_name' : `other_service:${service}` };
  }
  const methodName = fieldStr(payload, 'methodName', 'method_name');
  if (methodName === undefined) {
    return { kind: 'rejected', reason: 'malformed_record', detail: 'secretmanager AuditLog without methodName' };
  }
  const operation = shortMethodName(methodName);
  const action = secretManagerAction(methodName, operation);
  if (action === undefined) return { kind: 'unrelated', reason: `other_method:${operation}` };

  const ms = gcpEventTime(record);
  if (typeof ms !== 'number') {
    return {
      kind: 'rejected',
      reason: ms,
      detail:
        ms === 'missing_time'
          ? 'no timestamp, requestMetadata.requestAttributes.time or receiveTimestamp'
          : 'timestamp, requestMetadata.requestAttributes.time and receiveTimestamp are not times',
    };
  }

  const errorCode = failureCode(payload);
  const event: NormalizedEvent = {
    time: formatEventTime(ms),
    time_ms: ms,
    provider: 'gcp',
    service: 'secretmanager',
    // The provider's own name, verbatim: what an analyst searches for in Cloud Logging.
    operation: methodName,
    action,
    outcome: errorCode === undefined ? 'success' : 'failure',
    principal: gcpPrincipal(fieldObj(payload, 'authenticationInfo', 'authentication_info')),
    source: gcpSource(payload),
    cloud: gcpCloud(record),
    secrets: secretIds(payload),
  };
  if (errorCode !== undefined) event.error_code = errorCode;
  if (record.insertId !== undefined) event.event_id = record.insertId;
  return { kind: 'events', events: [event] };
}
