import type { JsonObject } from '../format.js';
import type { Source } from '../schema.js';
import { splitSourceAddress } from '../common/ip.js';
import { str } from '../common/json.js';
import { fieldObj, fieldStr } from './fields.js';

// Google's front end appends this to every caller-supplied user agent; it says nothing about the caller.
const GFE_SUFFIX = ',gzip(gfe)';

/**
 * Caller address and user agent from `requestMetadata`.
 *
 * GCP writes `private` or `gce-internal-ip` instead of an address for callers inside Google's
 * network; `splitSourceAddress` keeps those as `host`. Some exporters spell the key `callerIP`.
 */
export function gcpSource(payload: JsonObject): Source {
  const meta = fieldObj(payload, 'requestMetadata', 'request_metadata');
  const source: Source = splitSourceAddress(fieldStr(meta, 'callerIp', 'caller_ip') ?? str(meta, 'callerIP'));
  const agent = fieldStr(meta, 'callerSuppliedUserAgent', 'caller_supplied_user_agent');
  if (agent !== undefined) {
    const trimmed = (agent.endsWith(GFE_SUFFIX) ? agent.slice(0, -GFE_SUFFIX.length) : agent).trim();
    if (trimmed !== '') source.user_agent = trimmed;
  }
  return source;
}
