import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FormatResult, JsonObject, NormalizedEvent } from '../../../normalizers/format.js';
import { cloudTrailRecordFormat } from '../../../normalizers/aws/cloudtrail-record.js';

const corpus = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'corpus');
const load = (file: string): JsonObject => JSON.parse(readFileSync(join(corpus, file), 'utf8')) as JsonObject;

function decode(record: JsonObject): FormatResult {
  expect(cloudTrailRecordFormat.matches(record)).toBe(true);
  return cloudTrailRecordFormat.decode(record);
}

function onlyEvent(record: JsonObject): NormalizedEvent {
  const result = decode(record);
  if (result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as NormalizedEvent;
}

const base = {
  eventVersion: '1.09',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' },
  eventTime: '2024-07-31T12:36:52Z',
  eventSource: 'secretsmanager.amazonaws.com',
  eventName: 'GetSecretValue',
  awsRegion: 'us-east-1',
  sourceIPAddress: '192.0.2.1',
  requestParameters: { secretId: 'prod/db' },
  responseElements: null,
  eventID: 'e-1',
  recipientAccountId: '111122223333',
};

describe('cloudtrail-record: matches', () => {
  it('recognizes records by eventSource + eventName, or eventVersion + userIdentity', () => {
    expect(cloudTrailRecordFormat.matches(base)).toBe(true);
    expect(cloudTrailRecordFormat.matches({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })).toBe(true);
    expect(cloudTrailRecordFormat.matches({ eventVersion: '1.03', userIdentity: { type: 'Root' } })).toBe(true);
  });

  it('does not claim envelopes or other providers', () => {
    expect(cloudTrailRecordFormat.matches({ Records: [] })).toBe(false);
    expect(cloudTrailRecordFormat.matches({ records: [{ operationName: 'SecretGet' }] })).toBe(false);
    expect(cloudTrailRecordFormat.matches({ protoPayload: {}, logName: 'x' })).toBe(false);
    expect(cloudTrailRecordFormat.matches({ eventName: 'GetSecretValue' })).toBe(false);
  });
});

describe('cloudtrail-record: decode', () => {
  it('normalizes a secret read completely', () => {
    expect(onlyEvent(base)).toEqual({
      time: '2024-07-31T12:36:52.000Z',
      time_ms: 1722429412000,
      provider: 'aws',
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      action: 'read',
      outcome: 'success',
      principal: { id: 'arn:aws:iam::111122223333:user/alice', type: 'user', class: 'standard', display_name: 'alice' },
      source: { ip: '192.0.2.1' },
      cloud: { account: '111122223333', region: 'us-east-1' },
      secrets: ['arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db'],
      event_id: 'e-1',
    });
  });

  it('writes no key with an undefined value (events serialize as the golden files read)', () => {
    const e = onlyEvent({ eventSource: base.eventSource, eventName: 'GetSecretValue', eventTime: base.eventTime });
    expect(JSON.parse(JSON.stringify(e))).toStrictEqual(e);
    expect(e).toStrictEqual({
      time: '2024-07-31T12:36:52.000Z',
      time_ms: 1722429412000,
      provider: 'aws',
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      action: 'read',
      outcome: 'success',
      principal: { id: 'unknown', type: 'unknown', class: 'standard' },
      source: {},
      cloud: {},
      secrets: [],
    });
  });

  it('marks a failure with the error code', () => {
    expect(onlyEvent({ ...base, errorCode: 'AccessDeniedException', errorMessage: 'no' })).toMatchObject({
      outcome: 'failure',
      error_code: 'AccessDeniedException',
    });
  });

  it('takes the account from userIdentity when recipientAccountId is absent', () => {
    const { recipientAccountId: _ignored, ...rest } = base;
    const e = onlyEvent(rest);
    expect(e.cloud).toEqual({ account: '111122223333', region: 'us-east-1' });
    expect(e.secrets).toEqual(['arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db']);
  });

  it('keeps a service host name as host and the VPC endpoint', () => {
    expect(onlyEvent({ ...base, sourceIPAddress: 'secretsmanager.amazonaws.com', userAgent: 'secretsmanager.amazonaws.com', vpcEndpointId: 'vpce-1' }).source).toEqual({
      host: 'secretsmanager.amazonaws.com',
      user_agent: 'secretsmanager.amazonaws.com',
      vpc_endpoint_id: 'vpce-1',
    });
  });

  it('finds the secret when requestParameters is null: additionalEventData, responseElements, resources', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123';
    const canonical = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db';
    expect(onlyEvent({ ...base, requestParameters: null, additionalEventData: { SecretId: arn } }).secrets).toEqual([canonical]);
    expect(onlyEvent({ ...base, requestParameters: null, responseElements: { arn } }).secrets).toEqual([canonical]);
    expect(onlyEvent({ ...base, requestParameters: null, resources: [{ ARN: 'arn:aws:kms:us-east-1:1:key/k' }, { ARN: arn }] }).secrets).toEqual([canonical]);
    expect(onlyEvent({ ...base, requestParameters: null }).secrets).toEqual([]);
  });

  it('corpus: GetSecretValue through a VPC endpoint names no secret and no IP', () => {
    const e = onlyEvent(load('awsdocs-secrets-manager__vpc-endpoint-overview__GetSecretValue-vpcEndpointId.json'));
    expect(e.secrets).toEqual([]);
    expect(e.source).toEqual({
      host: '172.01.01.001',
      user_agent: 'aws-cli/1.14.23 Python/2.7.12 Linux/4.9.75-25.55.amzn1.x86_64 botocore/1.8.27',
      vpc_endpoint_id: 'vpce-1234a5678b9012c',
    });
  });

  it('BatchGetSecretValue: ids deduplicated, filters kept as well-formed strings only', () => {
    const e = onlyEvent({
      ...base,
      eventName: 'BatchGetSecretValue',
      requestParameters: {
        secretIdList: ['a', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:a-Zz9Yy8', 7, '', 'b'],
        filters: [{ key: 'tag-key', values: ['!x', 5] }, 'junk', { values: ['y'] }],
      },
    });
    expect(e.action).toBe('batch_read');
    expect(e.secrets).toEqual([
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:a',
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:b',
    ]);
    expect(e.batch_filters).toEqual([
      { key: 'tag-key', values: ['!x'] },
      { key: '', values: ['y'] },
    ]);
    const noFilters = onlyEvent({ ...base, eventName: 'BatchGetSecretValue', requestParameters: { filters: [] } });
    expect('batch_filters' in noFilters).toBe(false);
  });

  it('SSM: names from the request; resources only when the request has none', () => {
    const ssm = { ...base, eventSource: 'ssm.amazonaws.com', eventName: 'GetParameters' };
    const e = onlyEvent({ ...ssm, requestParameters: { names: ['/a', 'a', '/b:2'], withDecryption: true } });
    expect(e).toMatchObject({ service: 'ssm', action: 'read', decrypted: true });
    expect(e.secrets).toEqual(['arn:aws:ssm:us-east-1:111122223333:parameter/a', 'arn:aws:ssm:us-east-1:111122223333:parameter/b']);
    const fromResources = onlyEvent({
      ...ssm,
      requestParameters: null,
      resources: [{ ARN: 'arn:aws:ssm:us-east-1:111122223333:parameter/c' }, { arn: 'arn:aws:ssm:us-east-1:111122223333:parameter/d' }],
    });
    expect(fromResources.secrets).toEqual(['arn:aws:ssm:us-east-1:111122223333:parameter/c', 'arn:aws:ssm:us-east-1:111122223333:parameter/d']);
    expect(fromResources).toMatchObject({ action: 'describe', decrypted: false });
  });

  it('SSM GetParameter by ARN keeps the ARN owner (shared parameters)', () => {
    const e = onlyEvent({
      ...base,
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParameter',
      requestParameters: { name: 'arn:aws:ssm:us-east-1:999988887777:parameter/shared/key', withDecryption: true },
    });
    expect(e.secrets).toEqual(['arn:aws:ssm:us-east-1:999988887777:parameter/shared/key']);
  });

  it('decides relevance before time: an unrelated record without time is unrelated', () => {
    expect(decode({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })).toEqual({ kind: 'unrelated', reason: 'other_service:s3.amazonaws.com' });
    expect(decode({ ...base, eventName: 'PutSecretValue', eventTime: 'garbage' })).toEqual({ kind: 'unrelated', reason: 'not_a_read:PutSecretValue' });
  });

  it('rejects a secret access without a usable time', () => {
    for (const eventTime of [undefined, null, '']) {
      expect(decode({ ...base, eventTime })).toMatchObject({ kind: 'rejected', reason: 'missing_time' });
    }
    expect(decode({ ...base, eventTime: '2024-02-30T10:00:00Z' })).toEqual({
      kind: 'rejected',
      reason: 'invalid_time',
      detail: 'eventTime "2024-02-30T10:00:00Z" is not a time',
    });
    expect(decode({ ...base, eventTime: true })).toMatchObject({ kind: 'rejected', reason: 'invalid_time', detail: 'eventTime boolean is not a time' });
    expect(decode({ ...base, eventTime: 'x'.repeat(10_000) })).toMatchObject({ reason: 'invalid_time' });
    const long = decode({ ...base, eventTime: 'x'.repeat(10_000) });
    expect(long.kind === 'rejected' && long.detail.length).toBeLessThan(100);
  });

  it('accepts epoch milliseconds and the space-separated export form', () => {
    expect(onlyEvent({ ...base, eventTime: 1722429412000 }).time).toBe('2024-07-31T12:36:52.000Z');
    expect(onlyEvent({ ...base, eventTime: '2024-10-17 21:48:45.000000000' }).time).toBe('2024-10-17T21:48:45.000Z');
  });

  it('rejects a record that has the shape but no eventSource or eventName', () => {
    expect(decode({ eventVersion: '1.03', userIdentity: { type: 'Root' } })).toMatchObject({ kind: 'rejected', reason: 'malformed_record' });
    expect(decode({ eventSource: '', eventName: 'GetSecretValue', eventVersion: '1', userIdentity: {} })).toMatchObject({ reason: 'malformed_record' });
  });

  it('reads the record in place: never modifies it', () => {
    const record = structuredClone(base);
    const frozen = deepFreeze(structuredClone(base));
    expect(onlyEvent(frozen)).toEqual(onlyEvent(record));
    expect(frozen).toEqual(base);
  });

  it('never throws whatever type each field has', () => {
    const weird: unknown[] = [null, 0, -1, 1e308, true, '', ' ', 'x', [], [1, 'a', null], {}, { a: 1 }, 'arn:', 'arn:aws:secretsmanager:::secret:'];
    const paths: string[][] = [
      ['eventTime'], ['eventSource'], ['eventName'], ['awsRegion'], ['sourceIPAddress'], ['userAgent'], ['errorCode'],
      ['requestParameters'], ['requestParameters', 'secretId'], ['responseElements'], ['resources'], ['userIdentity'],
      ['userIdentity', 'type'], ['userIdentity', 'arn'], ['userIdentity', 'sessionContext'], ['recipientAccountId'], ['eventID'],
    ];
    for (const eventName of ['GetSecretValue', 'BatchGetSecretValue', 'GetParameters', 'GetParametersByPath', 'GetParameter']) {
      for (const path of paths) {
        for (const value of weird) {
          const record = structuredClone({ ...base, eventName, eventSource: eventName.includes('Param') ? 'ssm.amazonaws.com' : base.eventSource }) as JsonObject;
          let target: JsonObject = record;
          for (const key of path.slice(0, -1)) target = (target[key] ?? {}) as JsonObject;
          target[path[path.length - 1] as string] = value;
          if (!cloudTrailRecordFormat.matches(record)) continue;
          const result = cloudTrailRecordFormat.decode(record);
          expect(['events', 'unrelated', 'rejected']).toContain(result.kind);
          if (result.kind === 'events') for (const e of result.events) expect(e.secrets.every((s) => typeof s === 'string')).toBe(true);
        }
      }
    }
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
