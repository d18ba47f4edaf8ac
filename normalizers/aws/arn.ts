/**
 * Minimal, allocation-light ARN helpers for the canonical ids the AWS normalizer builds.
 *
 * An ARN is `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; the resource part may itself contain
 * `:` and `/`, so only the first five colons delimit fields. Parsing is a character scan rather
 * than `split` or a regular expression because it runs once per secret id on the hot path, and
 * compares with `matchesAt` because `String.prototype.startsWith` with a position argument costs
 * several times more than a short character loop in V8.
 */

/** `value.startsWith(prefix, at)`, without the builtin's overhead for short prefixes. */
export function matchesAt(value: string, prefix: string, at: number): boolean {
  if (at < 0 || at + prefix.length > value.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (value.charCodeAt(at + i) !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Index of the first character of the RESOURCE field when `value` is an ARN of `service`, else -1.
 * Only the fields the caller needs are checked; the rest are taken as written.
 */
export function arnResourceStart(value: string, service: string): number {
  if (!matchesAt(value, 'arn:', 0)) return -1;
  // One pass over the characters: cheaper than four indexOf calls on the hot path.
  let field = 1; // 1 partition, 2 service, 3 region, 4 account
  for (let i = 4; i < value.length; i++) {
    if (value.charCodeAt(i) !== 58 /* : */) continue;
    if (field === 1 && !(matchesAt(value, service, i + 1) && value.charCodeAt(i + 1 + service.length) === 58)) return -1;
    if (field === 4) return i + 1;
    field++;
  }
  return -1;
}

/**
 * The AWS partition of a region, used only to build ARNs for ids the record gave as bare names
 * (an ARN in the record keeps its own partition). Unknown or missing regions are `aws`.
 */
export function partitionOf(region: string | undefined): string {
  if (region === undefined) return 'aws';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}
