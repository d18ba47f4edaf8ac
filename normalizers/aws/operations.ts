import type { JsonObject } from '../format.js';
import type { SecretAction, SecretService } from '../schema.js';
import { object, text } from './value.js';

/** Where a CloudTrail operation names the secrets it touched. */
export type SecretIdSource =
  | 'secretId' //     Secrets Manager: requestParameters.secretId (one secret)
  | 'secretIdList' // BatchGetSecretValue: requestParameters.secretIdList
  | 'name' //         SSM: requestParameters.name
  | 'names' //        SSM GetParameters: requestParameters.names[]
  | 'path' //         SSM GetParametersByPath: requestParameters.path
  | 'none'; //        enumeration: the request names no secret

export interface AwsOperation {
  readonly service: SecretService;
  readonly action: SecretAction;
  readonly ids: SecretIdSource;
  /** SSM only: `withDecryption` was requested. */
  readonly decrypted?: boolean;
}

const SECRETS_MANAGER = 'secretsmanager.amazonaws.com';
const SSM = 'ssm.amazonaws.com';
const KMS = 'kms.amazonaws.com';

/**
 * Every host whose presence in a record can make `awsOperation` answer something else than
 * `otherServiceReason(eventSource)`: as the `eventSource` (Secrets Manager and SSM, mapped by
 * operation), or as the `invokedBy` of a KMS Decrypt (Secrets Manager again: KMS is singled out
 * only together with it, so KMS itself need not be listed).
 *
 * The raw-record screen (`raw-record-screen.ts`) counts a record whose text names none of these
 * hosts as `other_service` without parsing it: a new rule in `awsOperation` that looks at another
 * host (or at anything else than these hosts) must add it here.
 */
export const SECRET_SERVICE_HOSTS: readonly string[] = [SECRETS_MANAGER, SSM];

/** The unrelated reason of a record of a service that holds no secrets. */
export function otherServiceReason(eventSource: string): string {
  return `other_service:${eventSource}`;
}

// Shared read-only constants: classifying an operation allocates nothing.
const SM_READ: AwsOperation = { service: 'secretsmanager', action: 'read', ids: 'secretId' };
const SM_BATCH: AwsOperation = { service: 'secretsmanager', action: 'batch_read', ids: 'secretIdList' };
const SM_DESCRIBE: AwsOperation = { service: 'secretsmanager', action: 'describe', ids: 'secretId' };
const SM_LIST: AwsOperation = { service: 'secretsmanager', action: 'list', ids: 'none' };
const SSM_LIST: AwsOperation = { service: 'ssm', action: 'list', ids: 'none' };
const ssm = (action: SecretAction, ids: SecretIdSource, decrypted: boolean): AwsOperation => ({
  service: 'ssm',
  action,
  ids,
  decrypted,
});
const SSM_NAME_READ = ssm('read', 'name', true);
const SSM_NAME_DESCRIBE = ssm('describe', 'name', false);
const SSM_NAMES_READ = ssm('read', 'names', true);
const SSM_NAMES_DESCRIBE = ssm('describe', 'names', false);
const SSM_PATH_READ = ssm('read', 'path', true);
const SSM_PATH_LIST = ssm('list', 'path', false);

/**
 * What a CloudTrail operation does to secrets, or, when it is not a secret access, the reason
 * (a string) to count it as unrelated under.
 */
export function awsOperation(eventSource: string, eventName: string, record: JsonObject): AwsOperation | string {
  if (eventSource === SECRETS_MANAGER) {
    switch (eventName) {
      case 'GetSecretValue':
        return SM_READ;
      // AWS also logs one GetSecretValue per secret a batch returned: detectors count those reads
      // and must never add batch_read to them.
      case 'BatchGetSecretValue':
        return SM_BATCH;
      case 'DescribeSecret':
      case 'ListSecretVersionIds':
      case 'GetResourcePolicy':
        return SM_DESCRIBE;
      case 'ListSecrets':
        return SM_LIST;
      default:
        return `not_a_read:${eventName}`; // PutSecretValue, CreateSecret, RotateSecret, RotationFailed...
    }
  }
  if (eventSource === SSM) {
    // `withDecryption` is `true` or absent (absent means false). Some SIEM exports stringify
    // booleans, so the string "true" counts too.
    const flag = object(record['requestParameters'])?.['withDecryption'];
    const decrypted = flag === true || flag === 'true';
    switch (eventName) {
      // Without decryption a SecureString comes back encrypted: metadata, not the secret.
      case 'GetParameter':
      case 'GetParameterHistory':
        return decrypted ? SSM_NAME_READ : SSM_NAME_DESCRIBE;
      case 'GetParameters':
        return decrypted ? SSM_NAMES_READ : SSM_NAMES_DESCRIBE;
      case 'GetParametersByPath':
        return decrypted ? SSM_PATH_READ : SSM_PATH_LIST;
      // DescribeParameters returns names and metadata, never values: it is the SSM counterpart of
      // ListSecrets, and the enumeration step before GetParameters in real attacks (the Stratus
      // Red Team detonation pages through it first). Enumeration detectors need it, so it is a
      // `list`, not unrelated.
      case 'DescribeParameters':
        return SSM_LIST;
      default:
        return `not_a_read:${eventName}`;
    }
  }
  // When a secret value is read, Secrets Manager calls KMS Decrypt on the caller's behalf and
  // CloudTrail logs it too: counting it would count the read twice.
  if (eventSource === KMS && eventName === 'Decrypt' && text(object(record['userIdentity'])?.['invokedBy']) === SECRETS_MANAGER) {
    return 'kms_decrypt_for_secretsmanager';
  }
  return otherServiceReason(eventSource);
}
