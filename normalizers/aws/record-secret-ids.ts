import type { JsonObject } from '../format.js';
import { arr, isObject } from '../common/json.js';
import { arnResourceStart } from './arn.js';
import type { SecretIdSource } from './operations.js';
import { canonicalSecretId } from './secretsmanager-id.js';
import { canonicalParameterId, canonicalParameterPathId } from './ssm-parameter-id.js';
import { object, text } from './value.js';

/**
 * The canonical ids of the secrets a record names, deduplicated, in request order.
 *
 * The request is the primary source. When `requestParameters` is null or lacks the id (some VPC
 * endpoint and service-event records), the record's other mentions are used: Secrets Manager's
 * `additionalEventData.SecretId` and `responseElements.arn`, then `resources[]`. An empty list
 * means the record does not say.
 */
export function recordSecretIds(
  record: JsonObject,
  source: SecretIdSource,
  region: string | undefined,
  account: string | undefined,
): string[] {
  const request = object(record['requestParameters']);
  switch (source) {
    case 'secretId': {
      const ref =
        text(request?.['secretId']) ??
        text(object(record['additionalEventData'])?.['SecretId']) ??
        text(object(record['responseElements'])?.['arn']) ??
        firstResourceArn(record, 'secretsmanager');
      return ref === undefined ? [] : [canonicalSecretId(ref, region, account, record)];
    }
    case 'secretIdList': {
      const out: string[] = [];
      for (const ref of arr(request, 'secretIdList') ?? []) {
        if (typeof ref === 'string' && ref !== '') pushUnique(out, canonicalSecretId(ref, region, account, record));
      }
      return out;
    }
    case 'name': {
      const ref = text(request?.['name']) ?? firstResourceArn(record, 'ssm');
      return ref === undefined ? [] : [canonicalParameterId(ref, region, account)];
    }
    case 'names': {
      const out: string[] = [];
      const names = arr(request, 'names');
      if (names !== undefined) {
        for (const ref of names) {
          if (typeof ref === 'string' && ref !== '') pushUnique(out, canonicalParameterId(ref, region, account));
        }
      } else {
        // No request: the accessed parameters' ARNs (CloudTrail may truncate this list).
        for (const r of arr(record, 'resources') ?? []) {
          const ref = resourceArn(r, 'ssm');
          if (ref !== undefined) pushUnique(out, canonicalParameterId(ref, region, account));
        }
      }
      return out;
    }
    case 'path': {
      const path = text(request?.['path']);
      return path === undefined ? [] : [canonicalParameterPathId(path, region, account)];
    }
    case 'none':
      return [];
  }
}

/** Linear de-duplication: id lists are short (tens of names at most). */
function pushUnique(out: string[], id: string): void {
  if (!out.includes(id)) out.push(id);
}

function firstResourceArn(record: JsonObject, service: string): string | undefined {
  for (const r of arr(record, 'resources') ?? []) {
    const ref = resourceArn(r, service);
    if (ref !== undefined) return ref;
  }
  return undefined;
}

/** `resources[]` entries write the ARN as `ARN` (CloudTrail) or `arn` (some exports). */
function resourceArn(resource: unknown, service: string): string | undefined {
  if (!isObject(resource)) return undefined;
  const ref = text(resource['ARN']) ?? text(resource['arn']);
  return ref !== undefined && arnResourceStart(ref, service) >= 0 ? ref : undefined;
}
