import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { decodeAll, type Collected } from '../support/collect.js';

/**
 * The public conformance corpus (fixtures/corpus/, copied from shared/corpus with PROVENANCE.md):
 * every file decodes without throwing, and every secret access in it comes out with the right
 * principal, source and outcome. Expectations are written from reading each record by hand.
 */
const corpusDir = join(import.meta.dirname, '..', '..', 'fixtures', 'corpus');
// CI checks out shared/ beside the repository: new corpus files there must be covered here too.
const sharedCorpusDir = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

interface Expectation {
  events: number;
  unrelated: number;
  rejected: string[];
  check?: (events: SecretAccessEvent[], got: Collected) => void;
}

const sample = (events: SecretAccessEvent[], i = 0): SecretAccessEvent => {
  const e = events[i];
  if (e === undefined) throw new Error(`no event ${i}`);
  return e;
};

const expectations: Record<string, Expectation> = {
  // Lambda `awslogs` envelope, base64 of gzip; its log events are plain text, not CloudTrail.
  'aws-lambda-go__events-testdata__cloudwatch-logs-event.awslogs-base64-gzip.json': { events: 0, unrelated: 0, rejected: ['invalid_json', 'invalid_json'] },
  'aws-lambda-go__events-testdata__cloudwatch-logs-event.decoded.json': { events: 0, unrelated: 0, rejected: ['invalid_json', 'invalid_json'] },
  'awsdocs-cloudtrail__console-sign-in-events__Root-ConsoleLogin.json': { events: 0, unrelated: 1, rejected: [] },
  'awsdocs-cloudtrail__log-file-examples__Records-envelope-UpdateTrail.json': { events: 0, unrelated: 1, rejected: [] },
  // Documentation fragments (`"userIdentity": {...}` without braces around): not JSON documents.
  'awsdocs-cloudtrail__user-identity__fragment-AWSAccount-crossaccount.txt': { events: 0, unrelated: 0, rejected: ['invalid_json'] },
  'awsdocs-cloudtrail__user-identity__fragment-AssumedRole.txt': { events: 0, unrelated: 0, rejected: ['invalid_json'] },
  'awsdocs-cloudtrail__user-identity__fragment-IAMUser.txt': { events: 0, unrelated: 0, rejected: ['invalid_json'] },
  'awsdocs-cloudtrail__user-identity__fragment-WebIdentityUser.txt': { events: 0, unrelated: 0, rejected: ['invalid_json'] },
  // The documentation truncates the inner CloudTrail messages: each is rejected, none throws.
  'awsdocs-cloudwatch-logs__SubscriptionFilters__kinesis-decoded-DATA_MESSAGE-CloudTrail.json': { events: 0, unrelated: 0, rejected: ['invalid_json', 'invalid_json', 'invalid_json'] },
  'awsdocs-cloudwatch-logs__SubscriptionFilters__lambda-decoded-DATA_MESSAGE-CloudTrail.json': { events: 0, unrelated: 0, rejected: ['invalid_json', 'invalid_json', 'invalid_json'] },
  'awsdocs-secrets-manager__retrieve-ct-entries__RotationFailed-AwsServiceEvent.json': { events: 0, unrelated: 1, rejected: [] },
  // KMS Decrypt on behalf of Secrets Manager duplicates the GetSecretValue it serves.
  'awsdocs-secrets-manager__security-encryption__kms-Decrypt-invokedBy-secretsmanager.json': { events: 0, unrelated: 1, rejected: [] },
  'awsdocs-secrets-manager__vpc-endpoint-overview__GetSecretValue-vpcEndpointId.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ provider: 'aws', service: 'secretsmanager', operation: 'GetSecretValue', action: 'read', outcome: 'success' });
      expect(e.time).toBe('2018-01-16T05:46:57.000Z');
      expect(e.principal).toMatchObject({ id: 'arn:aws:iam::123456789012:user/Anika', type: 'user', class: 'standard' });
      // `172.01.01.001` is no valid address: kept as host, never as ip.
      expect(e.source.ip).toBeUndefined();
      expect(e.source.host).toBe('172.01.01.001');
      expect(e.source.vpc_endpoint_id).toBe('vpce-1234a5678b9012c');
      expect(e.cloud).toEqual({ account: '123456789012', region: 'us-west-2' });
    },
  },
  'awsdocs-step-functions__tutorial-cloudwatch-events-s3__EventBridge-AWS-API-Call-via-CloudTrail-full-detail.json': { events: 0, unrelated: 1, rejected: [] },
  'external-secrets-reloader__docs-aws-sqs__EventBridge-AWS-API-Call-via-CloudTrail-PutSecretValue.json': { events: 0, unrelated: 1, rejected: [] },
  'gcp-security-analytics__test-fixtures__bigquery-export-schema-protopayload_auditlog-InsertJob-dataRead.json': { events: 0, unrelated: 1, rejected: [] },
  'gcp-security-analytics__test-fixtures__storage.objects.get-PERMISSION_DENIED-vpcsc.json': { events: 0, unrelated: 1, rejected: [] },
  'grafana-alloy-gcplog-test__pubsub-push-envelope__cloudaudit-data_access.base64.json': { events: 0, unrelated: 1, rejected: [] },
  'msdocs-azure-docs__key-vault-general-logging__records-VaultGet-AuditEvent.json': { events: 0, unrelated: 1, rejected: [] },
  'otel-collector-contrib__azurelogs-testdata__administrative-valid_1__ActivityLog-records-identity-claims.json': { events: 0, unrelated: 1, rejected: [] },
  'otel-collector-contrib__azurelogs-testdata__cornercases-identity_as_object.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ provider: 'azure', service: 'keyvault', operation: 'SecretGet', action: 'read', outcome: 'success' });
      expect(e.principal.id).toBe('607964b6-41a5-4e24-a5db-db7aab3b9b34');
      expect(e.time).toBe('2022-11-11T04:48:27.676Z');
      expect(e.source.ip).toBeUndefined();
    },
  },
  'otel-collector-contrib__azurelogs-testdata__cornercases-identity_as_string.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ provider: 'azure', operation: 'SecretGet', action: 'read' });
      expect(e.principal.id.toLowerCase()).toBe('john doe');
    },
  },
  'otel-collector-contrib__googlecloudlogentry-testdata__auditlog-data_access.json': { events: 0, unrelated: 1, rejected: [] },
  'panther__aws_secretsmanager_retrieve_secrets__getsecretvalue-denied.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ action: 'read', outcome: 'failure', error_code: 'AccessDenied' });
      expect(e.time).toBe('2024-10-17T21:48:45.000Z');
      expect(e.principal).toMatchObject({
        id: 'arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/AWSReservedSSO_DevAdmin_635426549a280cc6',
        type: 'role',
        session_name: 'evil.genius',
        class: 'high_privilege',
      });
      expect(e.source.ip).toBe('123.123.123.123');
      expect(e.secrets).toEqual(['arn:aws:secretsmanager:us-west-2:123123123123:secret:stratus-red-team-retrieve-secret-3']);
    },
  },
  // Panther's rule-test snippets carry no eventTime: a record without a time is rejected.
  'panther__aws_secretsmanager_retrieve_secrets_batch__batchgetsecretvalue.json': { events: 0, unrelated: 0, rejected: ['missing_time'] },
  'panther__aws_secretsmanager_retrieve_secrets_catchall__batchgetsecretvalue-catch-all-with-other-filters.json': { events: 0, unrelated: 0, rejected: ['missing_time'] },
  'panther__aws_secretsmanager_retrieve_secrets_catchall__batchgetsecretvalue-catch-all.json': { events: 0, unrelated: 0, rejected: ['missing_time'] },
  'panther__aws_secretsmanager_retrieve_secrets_multiregion__batchgetsecretvalue-in-us-east-1.json': { events: 0, unrelated: 0, rejected: ['missing_time'] },
  'panther__aws_secretsmanager_retrieve_secrets_multiregion__non-batch-getsecretvalue-event-no-match.json': { events: 0, unrelated: 0, rejected: ['missing_time'] },
  'panther__aws_ssm_decrypt_ssm_params__accessed-parameters-aren-t-encrypted.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      // Without decryption a SecureString read returns ciphertext: metadata, not a secret value.
      expect(e).toMatchObject({ service: 'ssm', operation: 'GetParameters', action: 'describe', decrypted: false, outcome: 'success' });
    },
  },
  'panther__aws_ssm_decrypt_ssm_params__multiple-secrets-accessed-in-same-event-with-prior-cached-parameters.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ service: 'ssm', action: 'read', decrypted: true, outcome: 'success' });
      expect(e.secrets).toHaveLength(5);
      expect(e.principal).toMatchObject({ id: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/us-west-2/SampleRole', session_name: 'bobson.dugnutt' });
      expect(e.source.ip).toBe('1.2.3.4');
    },
  },
  'panther__aws_ssm_decrypt_ssm_params__multiple-secrets-accessed-in-same-event.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      // 11 names requested, only 10 `resources` logged: the request is the truth.
      expect(sample(events).secrets).toHaveLength(11);
    },
  },
  'panther__aws_ssm_decrypt_ssm_params__single-secret-accessed-in-single-event.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ operation: 'GetParameter', action: 'read', decrypted: true, outcome: 'success' });
      expect(e.secrets).toEqual(['arn:aws:ssm:us-west-2:111122223333:parameter/credentials/stratus-red-team/credentials-25']);
      expect(e.time).toBe('2025-02-14T19:43:09.000Z');
    },
  },
  'panther__aws_ssm_decrypt_ssm_params__unrelated-event.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => expect(sample(events)).toMatchObject({ operation: 'DescribeParameters', action: 'list' }),
  },
  'panther__azure_keyvault_secret_accessed_or_recovered__case-insensitive-match.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ provider: 'azure', operation: 'microsoft.keyvault/vaults/secrets/getsecret/action', action: 'read', outcome: 'success' });
      expect(e.principal.id).toBe('unknown');
      expect(e.source.ip).toBe('3.3.3.3');
      expect(e.secrets).toEqual(['https://secvault.vault.azure.net/secrets/api-token']);
    },
  },
  'panther__azure_keyvault_secret_accessed_or_recovered__different-operation.json': { events: 0, unrelated: 1, rejected: [] },
  'panther__azure_keyvault_secret_accessed_or_recovered__secret-accessed.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ provider: 'azure', service: 'keyvault', action: 'read', outcome: 'success' });
      expect(e.principal).toMatchObject({ id: '12345678-1234-1234-1234-123456789abc', type: 'service_account', class: 'service_account' });
      expect(e.source.ip).toBe('1.1.1.1');
      expect(e.cloud).toEqual({ account: '12345678-1234-1234-1234-123456789abc', region: 'eastus' });
      expect(e.secrets).toEqual(['https://myvault.vault.azure.net/secrets/database-password']);
    },
  },
  'panther__azure_keyvault_secret_accessed_or_recovered__soft-deleted-secret-recovered.json': { events: 0, unrelated: 1, rejected: [] },
  'panther__gcp_iam_service_accounts_get_access_token_privilege_escalation__iam-serviceaccounts-getaccesstoken-granted.json': { events: 0, unrelated: 1, rejected: [] },
  'panther__gcp_iam_service_accounts_get_access_token_privilege_escalation__iam-serviceaccounts-getaccesstoken-not-granted.json': { events: 0, unrelated: 1, rejected: [] },
  'panther__gcp_iam_service_accounts_get_access_token_privilege_escalation__principal-subject-used.json': { events: 0, unrelated: 1, rejected: [] },
  'stratus-red-team__detonation-logs__aws.credential-access.secretsmanager-batch-retrieve-secrets.json': {
    events: 5,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      for (const e of events) {
        expect(e).toMatchObject({ operation: 'BatchGetSecretValue', action: 'batch_read', outcome: 'success' });
        expect(e.batch_filters).toEqual([{ key: 'tag-key', values: ['StratusRedTeam'] }]);
        expect(e.principal).toMatchObject({ id: 'arn:aws:iam::165109126369:user/christophe', type: 'user', display_name: 'christophe' });
        expect(e.source.ip).toBe('88.223.251.255');
        expect(e.source.user_agent).toBe('stratus-red-team_0a05817a-84d2-40d7-afde-8311715b1ee6');
      }
    },
  },
  'stratus-red-team__detonation-logs__aws.credential-access.secretsmanager-retrieve-secrets.json': {
    events: 21,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const reads = events.filter((e) => e.action === 'read');
      expect(reads).toHaveLength(20);
      expect(events.filter((e) => e.action === 'list').map((e) => e.operation)).toEqual(['ListSecrets']);
      expect(new Set(reads.flatMap((e) => e.secrets)).size).toBe(20);
      for (const e of reads) {
        expect(e.principal.id).toBe('arn:aws:iam::903144391865:user/christophe');
        expect(e.source.ip).toBe('253.201.144.253');
        expect(e.outcome).toBe('success');
        expect(e.secrets[0]).toMatch(/^arn:aws:secretsmanager:cn-centraleast-1r:903144391865:secret:stratus-red-team-retrieve-secret-\d+$/);
      }
    },
  },
  'stratus-red-team__detonation-logs__aws.credential-access.ssm-retrieve-securestring-parameters.json': {
    events: 10,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const reads = events.filter((e) => e.action === 'read');
      expect(reads.map((e) => e.secrets.length)).toEqual(expect.arrayContaining([10, 10, 10, 10, 2]));
      expect(reads).toHaveLength(5);
      expect(new Set(reads.flatMap((e) => e.secrets)).size).toBe(42);
      for (const e of reads) expect(e).toMatchObject({ decrypted: true, source: { ip: '250.202.242.232' } });
      expect(events.filter((e) => e.operation === 'DescribeParameters')).toHaveLength(5);
    },
  },
  'stratus-red-team__docs__aws.credential-access.secretsmanager-batch-retrieve-secrets__catch-all-filter-snippet.json': { events: 0, unrelated: 0, rejected: ['missing_time'] },
  'stratus-red-team__docs__gcp.credential-access.secretmanager-retrieve-secrets__sample-event.json': {
    events: 1,
    unrelated: 0,
    rejected: [],
    check: (events) => {
      const e = sample(events);
      expect(e).toMatchObject({ provider: 'gcp', service: 'secretmanager', operation: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion', action: 'read', outcome: 'success' });
      // No `timestamp` in this sample: the request time stands in for it.
      expect(e.time).toBe('2025-02-02T22:56:34.343Z');
      expect(e.principal.id).toBe('unknown');
      expect(e.source.ip).toBe('7.7.7.7');
      expect(e.source.user_agent).toBe('stratus-red-team_4fbc5d44-9c4f-469f-a15b-0c85e6ad3241 grpc-go/1.70.0');
      expect(e.secrets).toEqual(['projects/victim-project/secrets/stratus-red-team-retrieve-secret-8']);
      expect(e.cloud.account).toBe('victim-project');
    },
  },
};

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f !== 'PROVENANCE.md').sort();
}

describe('public corpus', () => {
  it('has an expectation for every corpus file, here and in shared/corpus', () => {
    const files = new Set(corpusFiles(corpusDir));
    if (existsSync(sharedCorpusDir)) for (const f of corpusFiles(sharedCorpusDir)) files.add(f);
    expect([...files].filter((f) => !(f in expectations))).toEqual([]);
  });

  for (const [file, expectation] of Object.entries(expectations)) {
    it(file, () => {
      const got = decodeAll(readFileSync(join(corpusDir, file)), file);
      expect(got.events).toHaveLength(expectation.events);
      expect(got.unrelated).toHaveLength(expectation.unrelated);
      expect(got.rejections.map((r) => r.reason).sort()).toEqual([...expectation.rejected].sort());
      for (const e of got.events) {
        expect(e.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(new Date(e.time).getTime()).toBe(e.time_ms);
        expect(e.raw.source).toBe(file);
      }
      expectation.check?.(got.events, got);
    });
  }
});
