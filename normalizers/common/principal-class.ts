import type { PrincipalClass, PrincipalType } from '../schema.js';

// The MITRE T1555.006 analytic's classification, applied to the stable id and display name.
const HIGH_PRIVILEGE = /root|admin|superuser/i;
const SERVICE_ACCOUNT = /serviceaccount|svc|automation/i;

/**
 * Privilege class of an identity. Type-based rules come first where the provider is explicit:
 * AWS root is always high privilege; GCP service accounts, Azure applications without a UPN and
 * AWS services are service accounts whatever their names say.
 */
export function classifyPrincipal(type: PrincipalType, ...names: (string | undefined)[]): PrincipalClass {
  if (type === 'root') return 'high_privilege';
  const text = names.filter((n): n is string => n !== undefined).join(' ');
  if (HIGH_PRIVILEGE.test(text)) return 'high_privilege';
  if (type === 'service_account' || type === 'managed_identity' || type === 'aws_service') return 'service_account';
  if (SERVICE_ACCOUNT.test(text)) return 'service_account';
  return 'standard';
}
