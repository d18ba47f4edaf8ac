import type { SecretAction } from '../schema.js';

/**
 * Azure RBAC operations on Key Vault secrets, as the Activity Log (and records that borrow its
 * operation names) writes them, keyed lower-case: `MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ` and
 * `microsoft.keyvault/vaults/secrets/read` are one operation.
 *
 * - `secrets/getSecret/action` is the data action that returns a secret value; Panther's
 *   "Azure Key Vault secret accessed" rule alerts on it: `read`.
 * - `secrets/backup/action` exports the secret blob, like the data-plane SecretBackup: `read`.
 * - `secrets/read` is the management-plane GET of the secret resource (ARM never returns the
 *   value) and `secrets/readMetadata/action` lists or reads properties: `describe`.
 */
export const ACTIVITY_SECRET_ACTIONS: ReadonlyMap<string, SecretAction> = new Map<string, SecretAction>([
  ['microsoft.keyvault/vaults/secrets/getsecret/action', 'read'],
  ['microsoft.keyvault/vaults/secrets/backup/action', 'read'],
  ['microsoft.keyvault/vaults/secrets/read', 'describe'],
  ['microsoft.keyvault/vaults/secrets/readmetadata/action', 'describe'],
]);

/** Every other operation under this prefix writes, deletes, recovers or restores secrets. */
export const ACTIVITY_SECRET_PREFIX = 'microsoft.keyvault/vaults/secrets/';
