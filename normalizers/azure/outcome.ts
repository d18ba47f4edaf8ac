import type { Outcome } from '../schema.js';
import type { JsonObject } from '../format.js';
import { obj, str, strOrNum } from '../common/json.js';

/** The outcome of an Azure call and, on failure, the code an analyst would search for. */
export interface AzureOutcome {
  outcome: Outcome;
  error_code?: string;
  /** Which field decided: `resultType` means the record had no HTTP status at all (weakest evidence). */
  basis: 'httpStatusCode' | 'statusCode' | 'resultSignature' | 'resultType';
}

// HTTP reason phrases (and Activity Log status words) that mean the call succeeded, compared
// lower-case with spaces removed: Key Vault writes "OK", "Accepted", "No Content"...
const SUCCESS_PHRASES = new Set([
  'ok',
  'created',
  'accepted',
  'nocontent',
  'nonauthoritativeinformation',
  'resetcontent',
  'partialcontent',
  'multistatus',
  'alreadyreported',
  'imused',
  'success',
  'succeeded',
  'started',
]);

const THREE_DIGITS = /^\d{3}$/;

function fromCode(code: string, basis: AzureOutcome['basis']): AzureOutcome {
  return code.startsWith('2') ? { outcome: 'success', basis } : { outcome: 'failure', error_code: code, basis };
}

/**
 * A status text: a number ("403"), a reason phrase ("Forbidden", "Not Found"), or the Activity
 * Log's `<status>.<reason>` pair ("Succeeded.OK", "Failed.Forbidden", "Started.").
 */
function fromText(text: string, basis: AzureOutcome['basis']): AzureOutcome {
  const trimmed = text.trim();
  if (THREE_DIGITS.test(trimmed)) return fromCode(trimmed, basis);
  const dot = trimmed.indexOf('.');
  if (dot > 0) {
    const reason = trimmed.slice(dot + 1).trim();
    const chosen = reason !== '' ? reason : trimmed.slice(0, dot);
    return fromText(chosen, basis);
  }
  const phrase = trimmed.toLowerCase().replace(/[\s_-]/g, '');
  return SUCCESS_PHRASES.has(phrase) ? { outcome: 'success', basis } : { outcome: 'failure', error_code: trimmed, basis };
}

/**
 * Outcome of an Azure resource-log or Activity Log record.
 *
 * Key Vault writes `resultType: "Success"` for 401, 403 and 404 responses: the request was
 * processed, not granted. So the HTTP status decides (`properties.httpStatusCode`, then the
 * Activity Log's `properties.statusCode`, then `resultSignature`). Only a record with none of them
 * falls back to `resultType` (`basis: 'resultType'`): Success/Succeeded or no resultType at all is
 * a success, anything else a failure coded with the resultType text.
 */
export function azureOutcome(record: JsonObject): AzureOutcome {
  const properties = obj(record, 'properties');
  const http = strOrNum(properties, 'httpStatusCode');
  if (http !== undefined && THREE_DIGITS.test(http.trim())) return fromCode(http.trim(), 'httpStatusCode');
  const statusCode = strOrNum(properties, 'statusCode');
  if (statusCode !== undefined && statusCode.trim() !== '') return fromText(statusCode, 'statusCode');
  const signature = strOrNum(record, 'resultSignature');
  if (signature !== undefined && signature.trim() !== '') return fromText(signature, 'resultSignature');
  const resultType = str(record, 'resultType');
  if (resultType === undefined) return { outcome: 'success', basis: 'resultType' };
  const lower = resultType.trim().toLowerCase();
  return lower === 'success' || lower === 'succeeded'
    ? { outcome: 'success', basis: 'resultType' }
    : { outcome: 'failure', error_code: resultType, basis: 'resultType' };
}
