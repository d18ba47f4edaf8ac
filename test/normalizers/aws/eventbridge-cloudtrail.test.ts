import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonObject, NormalizedEvent } from '../../../normalizers/format.js';
import { eventBridgeCloudTrailFormat } from '../../../normalizers/aws/eventbridge-cloudtrail.js';

const corpus = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'corpus');
const load = (file: string): JsonObject => JSON.parse(readFileSync(join(corpus, file), 'utf8')) as JsonObject;

const envelope = (detail: unknown, detailType = 'AWS API Call via CloudTrail'): JsonObject => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': detailType,
  source: 'aws.secretsmanager',
  account: '123456789012',
  time: '2024-12-01T10:00:07Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

function onlyEvent(value: JsonObject): NormalizedEvent {
  expect(eventBridgeCloudTrailFormat.matches(value)).toBe(true);
  const result = eventBridgeCloudTrailFormat.decode(value);
  if (result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  return result.events[0] as NormalizedEvent;
}

describe('eventbridge-cloudtrail', () => {
  it('normalizes the detail; the detail wins over the envelope where it has the field', () => {
    const e = onlyEvent(
      envelope({
        eventTime: '2024-12-01T10:00:00Z',
        eventSource: 'secretsmanager.amazonaws.com',
        eventName: 'GetSecretValue',
        awsRegion: 'eu-central-1',
        recipientAccountId: '111122223333',
        requestParameters: { secretId: 'orders/api-key' },
      }),
    );
    expect(e).toMatchObject({ time: '2024-12-01T10:00:00.000Z', operation: 'GetSecretValue', action: 'read' });
    expect(e.cloud).toEqual({ account: '111122223333', region: 'eu-central-1' });
    expect(e.secrets).toEqual(['arn:aws:secretsmanager:eu-central-1:111122223333:secret:orders/api-key']);
  });

  it('falls back to the envelope time, region, account and source for a sparse detail', () => {
    const e = onlyEvent(envelope({ eventName: 'GetSecretValue', requestParameters: { secretId: 'orders/api-key' } }));
    expect(e).toMatchObject({ service: 'secretsmanager', time: '2024-12-01T10:00:07.000Z', time_ms: 1733047207000 });
    expect(e.cloud).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(e.secrets).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/api-key']);
    expect(e.principal).toEqual({ id: 'unknown', type: 'unknown', class: 'standard' });
  });

  it('takes the service from `source` only when the detail has no eventSource', () => {
    const ssm = { ...envelope({ eventName: 'GetParameter', requestParameters: { name: '/x', withDecryption: true } }), source: 'aws.ssm' };
    expect(onlyEvent(ssm)).toMatchObject({ service: 'ssm', action: 'read' });
    const mismatch = envelope({ eventSource: 's3.amazonaws.com', eventName: 'GetSecretValue' });
    expect(eventBridgeCloudTrailFormat.decode(mismatch)).toEqual({ kind: 'unrelated', reason: 'other_service:s3.amazonaws.com' });
  });

  it('corpus: PutSecretValue through EventBridge (no eventSource in the detail) is unrelated as a write', () => {
    const value = load('external-secrets-reloader__docs-aws-sqs__EventBridge-AWS-API-Call-via-CloudTrail-PutSecretValue.json');
    expect(eventBridgeCloudTrailFormat.decode(value)).toEqual({ kind: 'unrelated', reason: 'not_a_read:PutSecretValue' });
  });

  it('corpus: an S3 PutObject through EventBridge is another service', () => {
    const value = load('awsdocs-step-functions__tutorial-cloudwatch-events-s3__EventBridge-AWS-API-Call-via-CloudTrail-full-detail.json');
    expect(eventBridgeCloudTrailFormat.decode(value)).toEqual({ kind: 'unrelated', reason: 'other_service:s3.amazonaws.com' });
  });

  it('accepts the other CloudTrail detail types and counts the rest as unrelated', () => {
    const detail = { eventTime: '2024-12-01T10:00:00Z', eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue' };
    for (const t of ['AWS Service Event via CloudTrail', 'AWS Console Sign In via CloudTrail', 'AWS Console Action via CloudTrail']) {
      expect(eventBridgeCloudTrailFormat.decode(envelope(detail, t)).kind).toBe('events');
    }
    expect(eventBridgeCloudTrailFormat.decode(envelope({}, 'Scheduled Event'))).toEqual({
      kind: 'unrelated',
      reason: 'eventbridge_detail_type:Scheduled Event',
    });
  });

  it('rejects a CloudTrail event without a usable detail or time', () => {
    expect(eventBridgeCloudTrailFormat.decode(envelope('x'))).toMatchObject({ kind: 'rejected', reason: 'malformed_record' });
    expect(eventBridgeCloudTrailFormat.decode(envelope(null))).toMatchObject({ kind: 'rejected', reason: 'malformed_record' });
    const noTime = { ...envelope({ eventName: 'GetSecretValue' }), time: undefined };
    expect(eventBridgeCloudTrailFormat.decode(noTime)).toMatchObject({ kind: 'rejected', reason: 'missing_time' });
  });

  it('does not claim objects without detail-type and detail', () => {
    expect(eventBridgeCloudTrailFormat.matches({ 'detail-type': 'x' })).toBe(false);
    expect(eventBridgeCloudTrailFormat.matches({ detail: {} })).toBe(false);
  });
});
