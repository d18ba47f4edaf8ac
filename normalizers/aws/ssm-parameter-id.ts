import { arnResourceStart, matchesAt, partitionOf } from './arn.js';

/**
 * Canonical ids of SSM Parameter Store parameters:
 * `arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME`, NAME without its leading `/`.
 *
 * This is the form AWS itself writes in `resources[]`: the parameter `/app/db` has the ARN
 * `...:parameter/app/db` and the parameter `app` (no hierarchy) has `...:parameter/app`, so the
 * leading slash never distinguishes two parameters. The API also accepts an ARN as the name, and a
 * version or label selector (`/app/db:3`, `/app/db:prod`); parameter names cannot contain `:`, so
 * everything from the first `:` of the name on is a selector and is dropped: versions of a
 * parameter are the same secret.
 */
export function canonicalParameterId(ref: string, region: string | undefined, account: string | undefined): string {
  const resource = arnResourceStart(ref, 'ssm');
  if (resource >= 0) {
    if (!matchesAt(ref, 'parameter', resource)) return ref;
    return ref.slice(0, resource) + 'parameter/' + bareName(ref, resource + 9);
  }
  return `${scopePrefix(region, account)}parameter/${bareName(ref, 0)}`;
}

/**
 * Id for a `GetParametersByPath` request: the path's canonical id followed by `/*`.
 *
 * The record does not say which parameters the call returned, so the subtree is the honest id.
 * The `/*` keeps it from ever equalling the id of a parameter of the same name (`/app` can be both
 * a parameter and a path), and reads like the IAM resource pattern that grants the same access.
 * The root path `/` becomes `parameter/*`.
 */
export function canonicalParameterPathId(path: string, region: string | undefined, account: string | undefined): string {
  const id = canonicalParameterId(path, region, account);
  const nameStart = id.indexOf(':parameter/') + 11;
  if (nameStart < 11) return id; // an ARN of something else than a parameter: keep it verbatim
  let end = id.length;
  while (end > nameStart && id.charCodeAt(end - 1) === 47 /* / */) end--;
  return end === nameStart ? id.slice(0, nameStart) + '*' : id.slice(0, end) + '/*';
}

function scopePrefix(region: string | undefined, account: string | undefined): string {
  return `arn:${partitionOf(region)}:ssm:${region ?? ''}:${account ?? ''}:`;
}

/** The name from `from` on, without leading slashes and without a `:version` / `:label` selector. */
function bareName(ref: string, from: number): string {
  let start = from;
  while (start < ref.length && ref.charCodeAt(start) === 47 /* / */) start++;
  const selector = ref.indexOf(':', start);
  return ref.slice(start, selector < 0 ? ref.length : selector);
}
