import type { SecretAction } from '../schema.js';

/**
 * What each Key Vault data-plane `operationName` does to secrets, keyed lower-case (operation
 * names are compared case-insensitively; the event keeps the original spelling).
 *
 * - SecretGet returns a value. SecretBackup returns every version of the secret as a protected
 *   blob that can be restored into any vault of the same subscription and geography: exfiltration
 *   of the secret, so it counts as `read`.
 * - SecretGetDeleted returns the deleted secret's id, attributes, tags, recoveryId and purge
 *   dates, not its value (Microsoft's REST reference example response has no `value`): `describe`.
 * - SecretList, SecretListVersions and SecretListDeleted enumerate names: `list`.
 */
export const KEYVAULT_SECRET_ACTIONS: ReadonlyMap<string, SecretAction> = new Map<string, SecretAction>([
  ['secretget', 'read'],
  ['secretbackup', 'read'],
  ['secretgetdeleted', 'describe'],
  ['secretlist', 'list'],
  ['secretlistversions', 'list'],
  ['secretlistdeleted', 'list'],
]);

/** Secret operations that change secrets and read no value: well-formed, not ours. */
export const KEYVAULT_SECRET_WRITES: ReadonlySet<string> = new Set([
  'secretset',
  'secretupdate',
  'secretdelete',
  'secretpurge',
  'secretrecover',
  'secretrestore',
  'secretnearexpiryeventgridnotification',
  'secretexpiredeventgridnotification',
]);
