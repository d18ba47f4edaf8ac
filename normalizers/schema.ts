/**
 * The one schema every secret access is normalized into, whatever the cloud and the envelope.
 *
 * Detectors see only this type. Field names are snake_case so that a normalized event written as a
 * JSON line reads the same as the TypeScript type documents it.
 */

/** Which cloud produced the audit record. */
export type Provider = 'aws' | 'gcp' | 'azure';

/**
 * The secret store that was read.
 * - `secretsmanager`: AWS Secrets Manager
 * - `ssm`: AWS Systems Manager Parameter Store
 * - `secretmanager`: GCP Secret Manager
 * - `keyvault`: Azure Key Vault (data plane and Activity Log management plane)
 */
export type SecretService = 'secretsmanager' | 'ssm' | 'secretmanager' | 'keyvault';

/**
 * What the call did to secrets, independent of the provider's operation name.
 * - `read`: returned one secret value (GetSecretValue, GetParameter with decryption,
 *   AccessSecretVersion, SecretGet). SSM GetParameters is also `read`, with every name in `secrets`.
 * - `batch_read`: AWS BatchGetSecretValue. AWS also logs one GetSecretValue (`read`) per secret it
 *   returned, so counting reads must not count `batch_read` again.
 * - `describe`: metadata only (DescribeSecret, GCP GetSecret, SSM reads without decryption,
 *   Key Vault Activity Log `secrets/read`).
 * - `list`: enumeration of secret names (ListSecrets, SecretList, GetParametersByPath without decryption).
 */
export type SecretAction = 'read' | 'batch_read' | 'describe' | 'list';

export type Outcome = 'success' | 'failure';

/**
 * What kind of identity made the call.
 * `managed_identity` is an Azure managed identity or a GCP workload identity without an e-mail.
 */
export type PrincipalType =
  | 'user'
  | 'role'
  | 'service_account'
  | 'managed_identity'
  | 'root'
  | 'aws_service'
  | 'unknown';

/**
 * Privilege class, after the MITRE T1555.006 analytic: `high_privilege` when the identity matches
 * root|admin|superuser, `service_account` for serviceaccount|svc|automation (and GCP service accounts,
 * Azure applications without a UPN), else `standard`.
 */
export type PrincipalClass = 'high_privilege' | 'service_account' | 'standard';

export interface Principal {
  /**
   * Stable identity across sessions. AWS assumed role: the role ARN from
   * `sessionContext.sessionIssuer` (the session name rotates, so it is kept in `session_name`);
   * IAM user / root: the ARN; AWS service: `invokedBy`; GCP: `principalEmail`, else
   * `principalSubject`; Azure: UPN, else object id, else application id. `unknown` when the
   * record names nobody (some denials, Azure 401s).
   */
  id: string;
  type: PrincipalType;
  class: PrincipalClass;
  /** AWS assumed-role session name (often a user name or an instance id). */
  session_name?: string;
  /** A human-readable name when the record carries one (IAM user name, Azure UPN...). */
  display_name?: string;
  /** AWS access key id, GCP service account key name: useful to find the credential to revoke. */
  credential_id?: string;
}

export interface Source {
  /** The caller's IP address, only when it is a syntactically valid IPv4 or IPv6 address. */
  ip?: string;
  /** The raw `sourceIPAddress` / `callerIp` / `callerIpAddress` when it is not an IP (an AWS service host name). */
  host?: string;
  user_agent?: string;
  /** AWS VPC endpoint the call came through, when present. */
  vpc_endpoint_id?: string;
}

export interface CloudContext {
  /** AWS account id, GCP project id, Azure subscription id. */
  account?: string;
  /** AWS region, GCP location, Azure region when the record has one. */
  region?: string;
}

/** Where the normalized event came from, so an analyst can find the raw record again. */
export interface RawPointer {
  /** The input's name: a file path, `stdin`, or a receiver name such as `otlp-http`. */
  source: string;
  /** 0-based index of the record within that input, in decoding order. */
  index: number;
  /** The envelope chain the record was found in, outermost first (e.g. `cloudwatch_logs>cloudtrail`). */
  format: string;
}

export interface SecretAccessEvent {
  /** Event time, ISO 8601 UTC with millisecond precision (`2024-07-31T12:36:52.000Z`). */
  time: string;
  /** Event time as epoch milliseconds (the same instant as `time`), for the detectors' arithmetic. */
  time_ms: number;
  provider: Provider;
  service: SecretService;
  /** The provider's own operation name, verbatim (`GetSecretValue`, `google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion`, `SecretGet`). */
  operation: string;
  action: SecretAction;
  outcome: Outcome;
  /** The provider's error code on failure (`AccessDenied`, `PERMISSION_DENIED`, `403`...). */
  error_code?: string;
  principal: Principal;
  source: Source;
  cloud: CloudContext;
  /**
   * Canonical secret ids, deduplicated, in request order. The same secret addressed by name,
   * partial ARN or full ARN is one id; GCP and Key Vault versions collapse to the secret.
   * Empty when the record does not say (ListSecrets, some VPC endpoint records).
   */
  secrets: string[];
  /** SSM only: the request asked for decryption (`withDecryption: true`). */
  decrypted?: boolean;
  /**
   * BatchGetSecretValue only: the request used filters instead of a list of ids. A filter value
   * starting with `!` matches every secret without that tag: the "catch-all" retrieval trick.
   */
  batch_filters?: { key: string; values: string[] }[];
  /** The provider's unique id for the record (CloudTrail eventID, GCP insertId, Azure correlationId), for de-duplication. */
  event_id?: string;
  raw: RawPointer;
}
