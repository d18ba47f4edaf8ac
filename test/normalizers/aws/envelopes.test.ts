import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../normalizers/format.js';
import { cloudTrailLogFileFormat } from '../../../normalizers/aws/cloudtrail-log-file.js';
import { cloudWatchLogsFormat } from '../../../normalizers/aws/cloudwatch-logs.js';
import { lambdaAwsLogsFormat } from '../../../normalizers/aws/lambda-awslogs.js';

const corpus = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'corpus');
const load = (file: string): JsonObject => JSON.parse(readFileSync(join(corpus, file), 'utf8')) as JsonObject;

describe('cloudtrail-log-file', () => {
  it('hands the Records back as children, without copying them', () => {
    const file = load('awsdocs-cloudtrail__log-file-examples__Records-envelope-UpdateTrail.json');
    expect(cloudTrailLogFileFormat.matches(file)).toBe(true);
    const result = cloudTrailLogFileFormat.decode(file);
    expect(result.kind).toBe('children');
    expect(result.kind === 'children' && result.items).toBe(file['Records']);
  });

  it('an empty log file is an envelope with no children', () => {
    expect(cloudTrailLogFileFormat.decode({ Records: [] })).toEqual({ kind: 'children', items: [] });
  });

  it('counts digest files as unrelated', () => {
    const digest = { awsAccountId: '1', digestStartTime: '2024-12-01T09:00:00Z', digestEndTime: '2024-12-01T10:00:00Z', logFiles: [] };
    expect(cloudTrailLogFileFormat.matches(digest)).toBe(true);
    expect(cloudTrailLogFileFormat.decode(digest)).toEqual({ kind: 'unrelated', reason: 'cloudtrail_digest' });
  });

  it('does not claim Azure records, a Records that is not an array, or a record', () => {
    expect(cloudTrailLogFileFormat.matches({ records: [] })).toBe(false);
    expect(cloudTrailLogFileFormat.matches({ Records: 'x' })).toBe(false);
    expect(cloudTrailLogFileFormat.matches({ digestStartTime: 'x' })).toBe(false);
    expect(cloudTrailLogFileFormat.matches({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' })).toBe(false);
  });
});

describe('cloudwatch-logs', () => {
  it('DATA_MESSAGE: each message becomes a text payload, in order', () => {
    const payload = load('awsdocs-cloudwatch-logs__SubscriptionFilters__lambda-decoded-DATA_MESSAGE-CloudTrail.json');
    expect(cloudWatchLogsFormat.matches(payload)).toBe(true);
    const message = '{"eventVersion":"1.03","userIdentity":{"type":"Root"}';
    expect(cloudWatchLogsFormat.decode(payload)).toEqual({
      kind: 'payloads',
      items: [
        { kind: 'text', text: message },
        { kind: 'text', text: message },
        { kind: 'text', text: message },
      ],
    });
  });

  it('plain-text log lines are passed on too (the decoder rejects them as JSON)', () => {
    const payload = load('aws-lambda-go__events-testdata__cloudwatch-logs-event.decoded.json');
    expect(cloudWatchLogsFormat.decode(payload)).toEqual({
      kind: 'payloads',
      items: [
        { kind: 'text', text: '[ERROR] First test message' },
        { kind: 'text', text: '[ERROR] Second test message' },
      ],
    });
  });

  it('CONTROL_MESSAGE is skipped', () => {
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [{ id: '', timestamp: 1432826855000, message: 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.' }],
    };
    expect(cloudWatchLogsFormat.matches(control)).toBe(true);
    expect(cloudWatchLogsFormat.decode(control)).toEqual({ kind: 'skipped', reason: 'cloudwatch_control_message' });
  });

  it('drops log events without a text message, rejects a payload with nothing usable', () => {
    const mixed = { messageType: 'DATA_MESSAGE', logEvents: [{ message: 5 }, 'x', { message: '{}' }] };
    expect(cloudWatchLogsFormat.decode(mixed)).toEqual({ kind: 'payloads', items: [{ kind: 'text', text: '{}' }] });
    expect(cloudWatchLogsFormat.decode({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1' }] })).toMatchObject({
      kind: 'rejected',
      reason: 'malformed_record',
    });
    expect(cloudWatchLogsFormat.decode({ messageType: 'DATA_MESSAGE', logEvents: [] })).toEqual({ kind: 'payloads', items: [] });
  });

  it('rejects an unknown messageType or a DATA_MESSAGE without logEvents', () => {
    expect(cloudWatchLogsFormat.decode({ messageType: 'OTHER', logEvents: [] })).toMatchObject({ kind: 'rejected', reason: 'malformed_record' });
    expect(cloudWatchLogsFormat.decode({ messageType: 'DATA_MESSAGE', logGroup: 'g' })).toMatchObject({ kind: 'rejected', reason: 'malformed_record' });
  });

  it('does not claim objects that merely have a messageType', () => {
    expect(cloudWatchLogsFormat.matches({ messageType: 'DATA_MESSAGE' })).toBe(false);
    expect(cloudWatchLogsFormat.matches({ logEvents: [] })).toBe(false);
  });
});

describe('lambda-awslogs', () => {
  it('unwraps awslogs.data as a base64 payload, untouched', () => {
    const event = load('aws-lambda-go__events-testdata__cloudwatch-logs-event.awslogs-base64-gzip.json');
    expect(lambdaAwsLogsFormat.matches(event)).toBe(true);
    const data = (event['awslogs'] as JsonObject)['data'] as string;
    expect(lambdaAwsLogsFormat.decode(event)).toEqual({ kind: 'payloads', items: [{ kind: 'base64', text: data }] });
  });

  it('accepts what AWS sends: base64 of gzip of a subscription payload', () => {
    const data = gzipSync(Buffer.from(JSON.stringify({ messageType: 'CONTROL_MESSAGE', logEvents: [] }))).toString('base64');
    expect(lambdaAwsLogsFormat.decode({ awslogs: { data } })).toEqual({ kind: 'payloads', items: [{ kind: 'base64', text: data }] });
  });

  it('rejects an awslogs envelope without data', () => {
    for (const awslogs of [{}, { data: '' }, { data: 5 }]) {
      expect(lambdaAwsLogsFormat.decode({ awslogs })).toMatchObject({ kind: 'rejected', reason: 'malformed_record' });
    }
    expect(lambdaAwsLogsFormat.matches({ awslogs: 'x' })).toBe(false);
  });
});
