import type { SecretAction } from '../schema.js';

/**
 * Secret Manager methods that read secrets, by short method name.
 * `GetSecret` / `GetSecretVersion` are metadata (ADMIN_READ, what `gcloud secrets describe` calls);
 * only `AccessSecretVersion` returns a value (DATA_READ). Writes (AddSecretVersion, CreateSecret,
 * ...) and IAM policy reads are not secret accesses.
 */
const ACTIONS: ReadonlyMap<string, SecretAction> = new Map<string, SecretAction>([
  ['AccessSecretVersion', 'read'],
  ['GetSecret', 'describe'],
  ['GetSecretVersion', 'describe'],
  ['ListSecretVersions', 'list'],
  ['ListSecrets', 'list'],
]);

// v1 (`google.cloud.secretmanager.v1.`), v1beta1 (`google.cloud.secrets.v1beta1.`) and v1beta2
// (`google.cloud.secretmanager.v1beta2.`) all name the interface the same way.
const SERVICE_DOT = 'SecretManagerService.';

/** `google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion` -> `AccessSecretVersion`. */
export function shortMethodName(methodName: string): string {
  const dot = methodName.lastIndexOf('.');
  return dot === -1 ? methodName : methodName.slice(dot + 1);
}

/**
 * The action of a Secret Manager method, or undefined when the method is not a secret read.
 * A bare short name (`AccessSecretVersion`, as some SIEM exports write it) is accepted; a
 * qualified one must belong to SecretManagerService (not `google.cloud.location.Locations.*`).
 */
export function secretManagerAction(methodName: string, operation: string): SecretAction | undefined {
  const action = ACTIONS.get(operation);
  if (action === undefined) return undefined;
  const prefixLength = methodName.length - operation.length;
  if (prefixLength === 0) return action;
  return prefixLength >= SERVICE_DOT.length && methodName.startsWith(SERVICE_DOT, prefixLength - SERVICE_DOT.length)
    ? action
    : undefined;
}
