import type { JsonObject } from '../format.js';
import { isObject } from '../common/json.js';
import { arnResourceStart, matchesAt, partitionOf } from './arn.js';
import { object, text } from './value.js';

/**
 * Canonical id of a Secrets Manager secret: `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME`,
 * without the six-character random suffix that AWS appends to the name in a full ARN.
 *
 * A caller can name the same secret three ways, and detectors must count it once:
 * - full ARN     `arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123`
 * - partial ARN  `arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db`
 * - bare name    `prod/db` (region and account then come from the record: a name can only
 *                address a secret in the caller's own account and region)
 *
 * Full or partial? A name may itself end in `-xxxxxx`, so the suffix cannot be recognized with
 * certainty from the ARN alone. In order:
 * 1. the record confirms it: `responseElements.arn` or a `resources[]` ARN equal to the reference
 *    (it is full), or equal to the reference plus `-` and six characters (it is partial);
 * 2. otherwise the heuristic: the name's last `-` segment is exactly six ASCII letters or digits.
 * Limit of (2): a partial ARN of a secret whose name ends in a six-character word (`app-secret`,
 * `db-backup`, `svc-prod01`) is taken as full and truncated (`app`), so its reads are counted
 * under another id. Partial ARNs are rare (AWS discourages them) and names and full ARNs, the
 * common forms, are never affected; a record with `responseElements.arn` is always exact.
 */
export function canonicalSecretId(
  ref: string,
  region: string | undefined,
  account: string | undefined,
  record: JsonObject | undefined,
): string {
  if (!matchesAt(ref, 'arn:', 0)) {
    return `arn:${partitionOf(region)}:secretsmanager:${region ?? ''}:${account ?? ''}:secret:${ref}`;
  }
  const resource = arnResourceStart(ref, 'secretsmanager');
  // Not a Secrets Manager secret ARN (a typo, another service): keep it verbatim, it is still an id.
  if (resource < 0 || !matchesAt(ref, 'secret:', resource)) return ref;
  const nameStart = resource + 7;
  if (nameStart >= ref.length) return ref;
  const full = confirmedByRecord(ref, record) ?? endsWithRandomSuffix(ref, nameStart);
  return full ? ref.slice(0, ref.length - 7) : ref;
}

/** The secret ARNs this record itself reports (response and resources), for confirmation only. */
function confirmedByRecord(ref: string, record: JsonObject | undefined): boolean | undefined {
  if (record === undefined) return undefined;
  const fromResponse = compare(ref, text(object(record['responseElements'])?.['arn']));
  if (fromResponse !== undefined) return fromResponse;
  const resources = record['resources'];
  if (!Array.isArray(resources)) return undefined;
  for (const r of resources) {
    if (!isObject(r)) continue;
    const verdict = compare(ref, text(r['ARN']) ?? text(r['arn']));
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/** `true`: the full ARN is the reference itself; `false`: the reference lacks its suffix. */
function compare(ref: string, fullArn: string | undefined): boolean | undefined {
  if (fullArn === undefined) return undefined;
  if (fullArn === ref) return true;
  if (fullArn.length === ref.length + 7 && matchesAt(fullArn, ref, 0) && fullArn.charCodeAt(ref.length) === 45) {
    return false;
  }
  return undefined;
}

/** `NAME-XXXXXX` with XXXXXX six ASCII letters or digits and a non-empty NAME. */
function endsWithRandomSuffix(ref: string, nameStart: number): boolean {
  const dash = ref.length - 7;
  if (dash <= nameStart || ref.charCodeAt(dash) !== 45 /* - */) return false;
  for (let i = dash + 1; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum) return false;
  }
  return true;
}
