import type { JsonObject } from '../format.js';
import type { Principal, PrincipalType } from '../schema.js';
import { classifyPrincipal } from '../common/principal-class.js';
import { fieldStr } from './fields.js';

const SA_EMAIL_SUFFIX = '.gserviceaccount.com';
const SA_SUBJECT = 'serviceAccount:';
const USER_SUBJECT = 'user:';
// GKE workload identity written as a Kubernetes service account: `PROJECT.svc.id.goog[ns/ksa]`.
const GKE_WORKLOAD_POOL = '.svc.id.goog[';
const WORKFORCE_POOL = '/workforcePools/';

/**
 * The caller of an AuditLog, from `authenticationInfo`.
 *
 * id: `principalEmail`, else `principalSubject`. A subject of the form `serviceAccount:<email>` or
 * `user:<email>` is reduced to the email, so that the same identity has one id whether a record
 * carries the email or only the subject (a "first time seen" rule would otherwise fire twice).
 * Federated subjects (`principal://...`, `principalSet://...`) are kept verbatim.
 *
 * type: service account e-mails (`*.gserviceaccount.com`) and `serviceAccount:` subjects are
 * `service_account`; workload identity (workload identity pools, GKE `*.svc.id.goog[ns/ksa]`) is
 * `managed_identity`; workforce identity pools are people signed in through an external IdP, so
 * `user`; any other e-mail is a `user`; a subject we cannot read, or nothing at all (some denials
 * log `authenticationInfo: {}`), is `unknown`.
 */
export function gcpPrincipal(auth: JsonObject | undefined): Principal {
  const email = fieldStr(auth, 'principalEmail', 'principal_email');
  const subject = fieldStr(auth, 'principalSubject', 'principal_subject');
  const keyName = fieldStr(auth, 'serviceAccountKeyName', 'service_account_key_name');

  let id: string;
  let type: PrincipalType;
  let displayName: string | undefined;
  if (email !== undefined) {
    id = email;
    displayName = email;
    type = email.endsWith(SA_EMAIL_SUFFIX) ? 'service_account' : email.includes('@') ? 'user' : subjectType(subject);
  } else if (subject !== undefined) {
    const emailInSubject = subjectEmail(subject);
    id = emailInSubject ?? subject;
    displayName = emailInSubject !== undefined && emailInSubject.includes('@') ? emailInSubject : undefined;
    type = subjectType(subject);
  } else {
    id = 'unknown';
    type = 'unknown';
  }

  const principal: Principal = { id, type, class: classifyPrincipal(type, id) };
  if (displayName !== undefined) principal.display_name = displayName;
  if (keyName !== undefined) principal.credential_id = keyName;
  return principal;
}

/** `serviceAccount:x` / `user:x` -> `x`; other subjects have no e-mail part. */
function subjectEmail(subject: string): string | undefined {
  if (subject.startsWith(SA_SUBJECT)) return subject.slice(SA_SUBJECT.length) || undefined;
  if (subject.startsWith(USER_SUBJECT)) return subject.slice(USER_SUBJECT.length) || undefined;
  return undefined;
}

function subjectType(subject: string | undefined): PrincipalType {
  if (subject === undefined) return 'unknown';
  if (subject.startsWith(SA_SUBJECT)) {
    return subject.includes(GKE_WORKLOAD_POOL) ? 'managed_identity' : 'service_account';
  }
  if (subject.startsWith(USER_SUBJECT)) return 'user';
  if (subject.startsWith('principal://') || subject.startsWith('principalSet://')) {
    return subject.includes(WORKFORCE_POOL) ? 'user' : 'managed_identity';
  }
  return 'unknown';
}
