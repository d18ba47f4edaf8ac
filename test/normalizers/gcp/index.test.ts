import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../normalizers/format.js';
import { gcpFormats } from '../../../normalizers/gcp/index.js';

const golden = fileURLToPath(new URL('../../../fixtures/golden/gcp/', import.meta.url));
const read = (name: string): JsonObject => JSON.parse(readFileSync(golden + name, 'utf8')) as JsonObject;
const firstMatch = (value: JsonObject) => gcpFormats.find((f) => f.matches(value))?.name;

describe('gcpFormats', () => {
  it('lists the envelopes first, then the export rows, then the LogEntry', () => {
    expect(gcpFormats.map((f) => f.name)).toStrictEqual([
      'gcp_pubsub_push',
      'gcp_pubsub_message',
      'gcp_logentry_bigquery',
      'gcp_logentry',
    ]);
  });

  it('routes each shape to its format', () => {
    expect(firstMatch(read('pubsub-push-access-secret-version.json'))).toBe('gcp_pubsub_push');
    expect(firstMatch(read('pubsub-pull-messages.json'))).toBe('gcp_pubsub_message');
    expect(firstMatch(read('log-analytics-export.json'))).toBe('gcp_logentry_bigquery');
    expect(firstMatch(read('snake-case-field-names.json'))).toBe('gcp_logentry');
    expect(firstMatch(read('access-secret-version-success.json'))).toBe('gcp_logentry');
  });

  it('claims no AWS or Azure shape', () => {
    const others: JsonObject[] = [
      { Records: [] },
      { records: [] },
      { eventVersion: '1.08', eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue' },
      { messageType: 'DATA_MESSAGE', logEvents: [] },
      { awslogs: { data: 'H4sI' } },
      { 'detail-type': 'AWS API Call via CloudTrail', detail: {} },
      { time: '2024-01-01T00:00:00Z', operationName: 'SecretGet', category: 'AuditEvent', properties: {} },
      { recordId: 'r', data: 'e30=' },
    ];
    for (const value of others) expect(firstMatch(value)).toBeUndefined();
  });
});
