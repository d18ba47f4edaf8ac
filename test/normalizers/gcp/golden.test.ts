import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gcpFormats } from '../../../normalizers/gcp/index.js';
import { runGcpFormats } from './run-gcp-formats.js';

const dir = fileURLToPath(new URL('../../../fixtures/golden/gcp/', import.meta.url));
const files = readdirSync(dir);
const cases = files.filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json')).sort();

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(dir + name, 'utf8'));
}

describe('GCP golden fixtures', () => {
  it('has every case the brief lists, each with an expected file', () => {
    for (const name of [
      'access-secret-version-success',
      'version-latest-and-3-collapse',
      'get-secret-describe',
      'list-secrets',
      'permission-denied-empty-authinfo',
      'principal-subject-workload-identity',
      'service-account-caller',
      'internal-caller-ip-private',
      'pubsub-push-access-secret-version',
      'pubsub-pull-messages',
      'snake-case-field-names',
      'bigquery-export',
      'logentry-without-protopayload',
      'no-time-rejected',
    ]) {
      expect(cases).toContain(`${name}.json`);
    }
    for (const c of cases) expect(files).toContain(c.replace(/\.json$/, '.expected.json'));
  });

  it.each(cases)('%s', (name) => {
    const expected = readJson(name.replace(/\.json$/, '.expected.json'));
    expect(runGcpFormats(readJson(name))).toStrictEqual(expected);
  });
});

describe('GCP corpus records: why each one is not a secret access', () => {
  it.each([
    ['corpus__gcp-security-analytics__test-fixtures__bigquery-export-schema-protopayload_auditlog-InsertJob-dataRead.json', 'other_service:bigquery.googleapis.com'],
    ['corpus__gcp-security-analytics__test-fixtures__storage.objects.get-PERMISSION_DENIED-vpcsc.json', 'other_service:storage.googleapis.com'],
    ['corpus__otel-collector-contrib__googlecloudlogentry-testdata__auditlog-data_access.json', 'other_service:container.googleapis.com'],
    ['corpus__panther__gcp_iam_service_accounts_get_access_token_privilege_escalation__iam-serviceaccounts-getaccesstoken-granted.json', 'other_service:iamcredentials.googleapis.com'],
    ['corpus__panther__gcp_iam_service_accounts_get_access_token_privilege_escalation__principal-subject-used.json', 'other_service:iamcredentials.googleapis.com'],
  ])('%s -> %s', (name, reason) => {
    const value = readJson(name);
    const record = (Array.isArray(value) ? value[0] : value) as Record<string, unknown>;
    const format = gcpFormats.find((f) => f.matches(record));
    expect(format?.decode(record)).toStrictEqual({ kind: 'unrelated', reason });
  });

  it('the Alloy push envelope holds a data_access LogEntry without protoPayload', () => {
    const push = readJson('corpus__grafana-alloy-gcplog-test__pubsub-push-envelope__cloudaudit-data_access.base64.json') as {
      message: { data: string };
    };
    const inner = JSON.parse(Buffer.from(push.message.data, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(gcpFormats.find((f) => f.matches(inner))?.decode(inner)).toStrictEqual({
      kind: 'unrelated',
      reason: 'no_proto_payload',
    });
  });
});
