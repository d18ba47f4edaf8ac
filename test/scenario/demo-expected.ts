import type { Alert } from '../../detectors/alerts/alert.js';

/** The folders of fixtures/demo/ that hold records (README.md is documentation). */
export const DEMO_PROVIDER_DIRS = ['aws', 'azure', 'gcp'] as const;

/**
 * Every alert the bundled demo must raise: [rule, user.id, client.address, time], in time order.
 * fixtures/demo/README.md tells the story of each; normal traffic must add nothing to this list.
 */
export const EXPECTED_DEMO_ALERTS: readonly (readonly [string, string, string, string])[] = [
  // (f) Stratus Red Team run against GCP production from Maria's workstation.
  ['attack_tool_user_agent', 'maria.garcia@acme.example', '192.0.2.15', '2026-11-03T11:30:12.000Z'],
  ['secret_access_spike', 'maria.garcia@acme.example', '192.0.2.15', '2026-11-03T11:30:14.546Z'],
  // (a) Leaked GitHub Actions deploy role credentials used from outside the runners.
  ['secret_access_new_source', 'arn:aws:iam::123456789012:role/github-actions-deploy', '203.0.113.199', '2026-11-03T14:52:13.000Z'],
  ['secret_access_spike', 'arn:aws:iam::123456789012:role/github-actions-deploy', '203.0.113.199', '2026-11-03T14:53:33.000Z'],
  // (b) A developer decrypts SecureString parameters for the first time.
  ['ssm_decrypt_new_accessor', 'arn:aws:iam::123456789012:user/jorge.diaz', '198.51.100.24', '2026-11-03T16:42:18.000Z'],
  // (g) A person's session reads a secret at 02:30 UTC on a Wednesday.
  ['after_hours_secret_read', 'priya.patel@acme.example', '192.0.2.88', '2026-11-04T02:30:41.000Z'],
  // (c) Secret-name guessing with the inventory-sync service account, from its own VM.
  ['secret_enumeration', 'inventory-sync@acme-prod-372914.iam.gserviceaccount.com', '203.0.113.21', '2026-11-04T03:13:58.000Z'],
  // (d) Alice's stolen laptop credentials, used in AWS and then Azure from one address.
  ['secret_access_new_source', 'arn:aws:iam::123456789012:user/alice.smith', '198.51.100.201', '2026-11-04T10:20:05.000Z'],
  ['cross_cloud_secret_access', 'alice.smith@acme.example', '198.51.100.201', '2026-11-04T10:24:40.000Z'],
  ['secret_access_new_source', 'alice.smith@acme.example', '198.51.100.201', '2026-11-04T10:24:40.000Z'],
  // (e) BatchGetSecretValue with a catch-all filter from the reporting batch job.
  ['batch_secret_catch_all_filter', 'arn:aws:iam::444455556666:role/reporting-batch', '10.60.1.15', '2026-11-04T13:05:27.000Z'],
];

/** An alert as the one-line key used to compare alert sets. */
export function alertKey(alert: Alert): string {
  return [alert.attributes['security_rule.name'], alert.attributes['user.id'], alert.attributes['client.address'] ?? '-', alert.time].map(String).join(' ');
}
