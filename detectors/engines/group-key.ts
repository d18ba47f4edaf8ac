import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { fieldValue, type RuleField } from '../ruleset/field-path.js';

/**
 * Group keys: the values of a rule's `group_by` fields joined into one string, the only string an
 * engine builds per event (the sketches hash it; nothing else is allocated on the hot path).
 *
 * U+0001 separates values and U+0000 stands for an absent value: neither occurs in the values
 * normalizers produce (identifiers, ARNs, IPs, names), so (a, bc) and (ab, c) never share a key,
 * and an absent IP never equals a present one.
 */
export const GROUP_SEPARATOR = '\u0001';
export const ABSENT_VALUE = '\u0000';

/**
 * The key of `event` for `fields`. With `requireAll`, an event missing any field has no key
 * (undefined): used where an absent value would join unrelated events (`new_terms`,
 * `multi_provider`); the counting engines group absent values together instead, under the other
 * fields (a principal's reads without a source IP still count for that principal).
 */
export function groupKey(event: SecretAccessEvent, fields: readonly RuleField[], requireAll: boolean): string | undefined {
  if (fields.length === 1) {
    const v = fieldValue(event, fields[0]!);
    return v !== undefined ? v : requireAll ? undefined : ABSENT_VALUE;
  }
  let key = '';
  for (let i = 0; i < fields.length; i++) {
    const v = fieldValue(event, fields[i]!);
    if (v === undefined && requireAll) return undefined;
    key = i === 0 ? (v ?? ABSENT_VALUE) : key + GROUP_SEPARATOR + (v ?? ABSENT_VALUE);
  }
  return key;
}

/** The group as field -> value, for the finding; absent fields are left out. Called only when firing. */
export function groupRecord(event: SecretAccessEvent, fields: readonly RuleField[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = fieldValue(event, f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}
