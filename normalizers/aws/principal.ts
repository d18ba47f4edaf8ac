import type { JsonObject } from '../format.js';
import type { Principal, PrincipalClass, PrincipalType } from '../schema.js';
import { classifyPrincipal } from '../common/principal-class.js';
import { partitionOf } from './arn.js';
import { object, text } from './value.js';

const SLASH = 47;
const COLON = 58;

/**
 * The calling identity of a CloudTrail record (`userIdentity`), as a stable principal.
 *
 * The rule behind every branch: `id` must stay the same across the sessions and credentials of
 * one identity, because detectors key their history on it ("first time seen", rates). What
 * rotates (assumed-role session names, access keys) goes to `session_name` / `credential_id`.
 */
export function awsPrincipal(identity: JsonObject | undefined, region: string | undefined): Principal {
  if (identity === undefined) return principal('unknown', 'unknown');
  const arn = text(identity['arn']);
  const principalId = text(identity['principalId']);
  const accountId = text(identity['accountId']);
  let p: Principal;
  switch (text(identity['type'])) {
    case 'AssumedRole': {
      // The session name (after the last `/` of the STS ARN) rotates per session; the role does not.
      const issuer = object(object(identity['sessionContext'])?.['sessionIssuer']);
      const id = text(issuer?.['arn']) ?? roleArnFromSessionArn(arn) ?? arn ?? principalId ?? 'unknown';
      p = principal(id, 'role', text(issuer?.['userName']));
      const session = afterLast(arn, SLASH) ?? afterLast(principalId, COLON);
      if (session !== undefined) p.session_name = session;
      break;
    }
    case 'IAMUser': {
      const userName = text(identity['userName']);
      const id =
        arn ?? (accountId !== undefined && userName !== undefined ? `arn:${partitionOf(region)}:iam::${accountId}:user/${userName}` : undefined);
      p = principal(id ?? principalId ?? 'unknown', 'user', userName);
      break;
    }
    case 'Root':
      p = principal(arn ?? (accountId !== undefined ? `arn:${partitionOf(region)}:iam::${accountId}:root` : 'unknown'), 'root');
      break;
    case 'AWSService':
      p = principal(text(identity['invokedBy']) ?? principalId ?? 'unknown', 'aws_service');
      break;
    case 'FederatedUser': {
      // GetFederationToken: the issuer is the IAM user (or root) that federated; the federated
      // user name, which the caller chooses per token, is the session.
      const issuer = object(object(identity['sessionContext'])?.['sessionIssuer']);
      p = principal(text(issuer?.['arn']) ?? arn ?? principalId ?? 'unknown', 'user', text(issuer?.['userName']));
      const session = afterLast(arn, SLASH);
      if (session !== undefined) p.session_name = session;
      break;
    }
    case 'WebIdentityUser':
    case 'SAMLUser':
      p = principal(federatedId(identity, principalId), 'user', text(identity['userName']));
      break;
    case 'IdentityCenterUser':
      p = principal(text(object(identity['onBehalfOf'])?.['userId']) ?? principalId ?? 'unknown', 'user');
      break;
    case 'AWSAccount':
      // Another account called (cross-account): CloudTrail names the account, and the principal
      // id only in that account's own terms (it may carry a rotating session), so the account is
      // the stable id. Its type is not known from this record.
      p = principal(accountId ?? principalId ?? 'unknown', 'unknown');
      break;
    default: {
      // No type: AWS services acting on their own (RotationFailed-style records carry only
      // `accountId` and `invokedBy`), or "Unknown" for some denials.
      const invokedBy = text(identity['invokedBy']);
      if (invokedBy !== undefined) p = principal(invokedBy, 'aws_service');
      else p = principal(arn ?? principalId ?? 'unknown', 'unknown');
    }
  }
  const credential = text(identity['accessKeyId']) ?? text(identity['credentialId']);
  if (credential !== undefined) p.credential_id = credential;
  return p;
}

function principal(id: string, type: PrincipalType, displayName?: string): Principal {
  const p: Principal = { id, type, class: classify(type, id, displayName) };
  if (displayName !== undefined) p.display_name = displayName;
  return p;
}

/**
 * `classifyPrincipal`, memoized by id. A stream repeats the same few principals over and over, and
 * the classification (two case-insensitive regular expressions over the joined names) costs
 * about as much as the rest of the principal. The memo is exact (a hit must have the same type and
 * display name) and bounded: it is emptied when it reaches MEMO_MAX entries, never grows past it.
 */
const MEMO_MAX = 4096;
const memo = new Map<string, { type: PrincipalType; displayName: string | undefined; cls: PrincipalClass }>();

function classify(type: PrincipalType, id: string, displayName: string | undefined): PrincipalClass {
  const hit = memo.get(id);
  if (hit !== undefined && hit.type === type && hit.displayName === displayName) return hit.cls;
  const cls = classifyPrincipal(type, id, displayName);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(id, { type, displayName, cls });
  return cls;
}

/** `arn:aws:sts::ACCT:assumed-role/NAME/SESSION` -> `arn:aws:iam::ACCT:role/NAME` (path unknown). */
function roleArnFromSessionArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const marker = arn.indexOf(':assumed-role/');
  if (marker < 0) return undefined;
  const nameStart = marker + 14;
  const nameEnd = arn.indexOf('/', nameStart);
  const accountStart = arn.lastIndexOf(':', marker - 1) + 1;
  if (nameEnd <= nameStart || accountStart <= 0 || !arn.startsWith('arn:')) return undefined;
  // The STS ARN's own partition (`arn:aws-cn:sts::...`) is the role's.
  return `${arn.slice(0, arn.indexOf(':', 4))}:iam::${arn.slice(accountStart, marker)}:role/${arn.slice(nameStart, nameEnd)}`;
}

/**
 * Web identity and SAML users: `principalId` is already qualified by the provider for web
 * identities (`accounts.google.com:AUDIENCE:SUBJECT`); it is prefixed with the provider otherwise,
 * so that the same subject at two providers stays two identities. `userName` alone is the
 * subject, unique only within its provider.
 */
function federatedId(identity: JsonObject, principalId: string | undefined): string {
  const provider = text(identity['identityProvider']);
  const userName = text(identity['userName']);
  if (principalId !== undefined) {
    return provider === undefined || principalId.startsWith(provider) ? principalId : `${provider}:${principalId}`;
  }
  if (userName !== undefined) return provider === undefined ? userName : `${provider}:${userName}`;
  return 'unknown';
}

function afterLast(value: string | undefined, separator: number): string | undefined {
  if (value === undefined) return undefined;
  // A backwards character scan: `lastIndexOf` costs more than the short tail it finds.
  let i = value.length - 1;
  while (i >= 0 && value.charCodeAt(i) !== separator) i--;
  return i < 0 || i === value.length - 1 ? undefined : value.slice(i + 1);
}
