import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordFormat } from '../../../normalizers/format.js';
import { awsFormats } from '../../../normalizers/aws/index.js';
import { cloudTrailRecordFormat } from '../../../normalizers/aws/cloudtrail-record.js';
import { screenRawCloudTrailRecord } from '../../../normalizers/aws/raw-record-screen.js';
import { allFormats } from '../../../normalizers/index.js';
import { InputCursor } from '../../../src/decode/cursor.js';
import { Decoder } from '../../../src/decode/decoder.js';

/** What the decoder makes of a text without any pre-parse screen: the reference. */
function fullPath(text: string): { events: number; unrelated: string[]; rejected: string[] } {
  const out = { events: 0, unrelated: [] as string[], rejected: [] as string[] };
  const formats: RecordFormat[] = allFormats.map(({ screenUnrelated: _screen, ...format }) => format);
  const decoder = new Decoder(formats, {
    event: () => void out.events++,
    rejection: (r) => void out.rejected.push(r.reason),
    unrelated: (_format, reason) => void out.unrelated.push(reason),
  });
  decoder.decodeText(text, new InputCursor('test'));
  return out;
}

/** An EC2 call as CloudTrail writes it: compact, `eventVersion` first, nested objects and arrays. */
function ec2(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:i-0abc',
      arn: 'arn:aws:sts::123456789012:assumed-role/app/i-0abc',
      accountId: '123456789012',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::123456789012:role/app', userName: 'app' },
        attributes: { creationDate: '2026-11-01T09:50:00Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: '2026-11-01T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0 [custom {agent}] md/x',
    requestParameters: { filterSet: { items: [{ name: 'tag:env', valueSet: { items: [{ value: 'prod' }] } }] }, maxResults: 5 },
    responseElements: null,
    eventID: 'e0000000-0000-4000-8000-000000000001',
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', clientProvidedHostHeader: 'ec2.us-east-1.amazonaws.com' },
    ...overrides,
  };
}

const EC2 = JSON.stringify(ec2());
const OTHER_EC2 = { kind: 'unrelated', reason: 'other_service:ec2.amazonaws.com' };

/** The screen refuses the text, and says what the full path makes of it. */
function refused(text: string): ReturnType<typeof fullPath> {
  expect(screenRawCloudTrailRecord(text)).toBeUndefined();
  return fullPath(text);
}

describe('raw CloudTrail record screen: records it counts without parsing', () => {
  it('counts a raw record of another service as other_service:<eventSource>, as the full path does', () => {
    expect(screenRawCloudTrailRecord(EC2)).toEqual(OTHER_EC2);
    expect(cloudTrailRecordFormat.screenUnrelated?.(EC2)).toEqual(OTHER_EC2);
    expect(fullPath(EC2)).toEqual({ events: 0, unrelated: ['other_service:ec2.amazonaws.com'], rejected: [] });
  });

  it('reads the event source verbatim, for any service', () => {
    for (const source of ['s3.amazonaws.com', 'sts.amazonaws.com', 'signin.amazonaws.com', 'iam.amazonaws.com', 'kms.amazonaws.com']) {
      const text = JSON.stringify(ec2({ eventSource: source }));
      expect(screenRawCloudTrailRecord(text)).toEqual({ kind: 'unrelated', reason: `other_service:${source}` });
      expect(fullPath(text).unrelated).toEqual([`other_service:${source}`]);
    }
  });

  it('counts KMS Decrypt called by another service than Secrets Manager as other_service', () => {
    const text = JSON.stringify(
      ec2({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', userIdentity: { type: 'AWSService', invokedBy: 's3.amazonaws.com' } }),
    );
    expect(screenRawCloudTrailRecord(text)).toEqual({ kind: 'unrelated', reason: 'other_service:kms.amazonaws.com' });
    expect(fullPath(text).unrelated).toEqual(['other_service:kms.amazonaws.com']);
  });

  it('accepts trailing JSON whitespace (CRLF lines)', () => {
    for (const tail of ['\r', '\n', ' \t\r\n']) expect(screenRawCloudTrailRecord(EC2 + tail)).toEqual(OTHER_EC2);
  });

  it('takes only the top-level eventSource and eventName: nested ones do not matter', () => {
    const text = JSON.stringify(
      ec2({
        requestParameters: { rule: { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', detail: { eventSource: ['x'] } } },
        additionalEventData: { eventSource: 'other.example' },
      }),
    );
    expect(screenRawCloudTrailRecord(text)).toEqual(OTHER_EC2);
    expect(fullPath(text).unrelated).toEqual(['other_service:ec2.amazonaws.com']);
  });

  it('does not depend on the order of the keys after eventVersion', () => {
    const { eventSource, eventName, ...rest } = ec2();
    const text = JSON.stringify({ ...rest, eventName, eventSource });
    expect(screenRawCloudTrailRecord(text)).toEqual(OTHER_EC2);
  });
});

describe('raw CloudTrail record screen: everything else is parsed', () => {
  it('refuses text that does not start exactly as CloudTrail writes a record', () => {
    const { userIdentity, ...rest } = ec2();
    expect(refused(JSON.stringify({ userIdentity, ...rest })).unrelated).toEqual(['other_service:ec2.amazonaws.com']);
    refused(' ' + EC2);
    refused('\ufeff' + EC2);
    refused(JSON.stringify(ec2(), null, 2));
    refused(EC2.replace('"eventVersion":"1.09"', '"eventVersion":1.09'));
  });

  it('refuses spaces around the colons of top-level keys', () => {
    refused(EC2.replace(/":/g, '": '));
    refused(EC2.replace('"eventSource":', '"eventSource": '));
    refused(EC2.replace('"eventName":', '"eventName" :'));
    refused(EC2.replace('"awsRegion":', '"awsRegion"\t:'));
  });

  it('refuses every truncation, even one that ends with an inner }', () => {
    let endingWithBrace = 0;
    for (let cut = 1; cut < EC2.length; cut++) {
      const text = EC2.slice(0, cut);
      expect(screenRawCloudTrailRecord(text)).toBeUndefined();
      expect(screenRawCloudTrailRecord(text + '\n')).toBeUndefined();
      if (text.endsWith('}')) {
        endingWithBrace++;
        expect(fullPath(text).rejected).toEqual(['invalid_json']);
      }
    }
    expect(endingWithBrace).toBeGreaterThanOrEqual(5);
  });

  it('refuses two values on one text', () => {
    refused(EC2 + EC2);
    refused(EC2 + ' ' + EC2);
    expect(refused(EC2 + '\n' + EC2).unrelated).toHaveLength(2);
    refused(EC2 + '\n{"eventVersion":"1.09"}');
    refused(EC2.slice(0, -1) + '}}');
  });

  it('refuses any mention of a secret service host, wherever it is', () => {
    refused(JSON.stringify(ec2({ requestParameters: { endpoint: 'https://secretsmanager.amazonaws.com/' } })));
    refused(JSON.stringify(ec2({ userAgent: 'ssm.amazonaws.com' })));
    refused(JSON.stringify(ec2({ resources: [{ ARN: 'x', type: 'secretsmanager.amazonaws.com' }] })));
    refused(JSON.stringify(ec2({ userIdentity: { type: 'AWSService', invokedBy: 'ssm.amazonaws.com' } })));
    expect(refused(JSON.stringify(ec2({ eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue' }))).events).toBe(1);
    expect(refused(JSON.stringify(ec2({ eventSource: 'ssm.amazonaws.com', eventName: 'PutParameter' }))).unrelated).toEqual([
      'not_a_read:PutParameter',
    ]);
  });

  it('refuses KMS Decrypt invoked by Secrets Manager, which is not other_service', () => {
    const text = JSON.stringify(
      ec2({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', userIdentity: { type: 'AWSService', invokedBy: 'secretsmanager.amazonaws.com' } }),
    );
    expect(refused(text).unrelated).toEqual(['kms_decrypt_for_secretsmanager']);
  });

  it('refuses escapes: an escaped quote in eventSource, \\u-spelled keys and hosts, any backslash', () => {
    refused(EC2.replace('"eventSource":"ec2.amazonaws.com"', '"eventSource":"ec2\\".amazonaws.com"'));
    refused(EC2.replace('"eventSource":"ec2.amazonaws.com"', '"eventSource":"ec2\\u002eamazonaws.com"'));
    // A second eventSource spelled with escapes: JSON.parse keeps it, and it is Secrets Manager.
    const spelled = EC2.slice(0, -1) + ',"\\u0065ventSource":"secretsmanager\\u002eamazonaws.com"}';
    expect(refused(spelled).unrelated).toEqual(['not_a_read:DescribeInstances']);
    const invokedBy = JSON.stringify(ec2({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', userIdentity: { invokedBy: 'SM' } }));
    expect(refused(invokedBy.replace('"SM"', '"secretsmanager\\u002eamazonaws.com"')).unrelated).toEqual(['kms_decrypt_for_secretsmanager']);
    refused(JSON.stringify(ec2({ requestParameters: { policyDocument: '{"Version":"2012-10-17"}' } })));
  });

  it('refuses a record whose only eventSource is nested (the full path rejects it)', () => {
    const { eventSource: _source, ...rest } = ec2({ requestParameters: { eventSource: 'ec2.amazonaws.com' } });
    expect(refused(JSON.stringify(rest)).rejected).toEqual(['malformed_record']);
  });

  it('refuses two top-level eventSource or eventName keys (JSON.parse keeps the last)', () => {
    expect(refused(EC2.slice(0, -1) + ',"eventSource":"kms.amazonaws.com"}').unrelated).toEqual(['other_service:kms.amazonaws.com']);
    expect(refused(EC2.slice(0, -1) + ',"eventSource":""}').rejected).toEqual(['malformed_record']);
    expect(refused(EC2.slice(0, -1) + ',"eventName":""}').rejected).toEqual(['malformed_record']);
  });

  it('refuses an eventSource or eventName that is missing, empty or not a string', () => {
    const { eventName: _name, ...noName } = ec2();
    expect(refused(JSON.stringify(noName)).rejected).toEqual(['malformed_record']);
    for (const bad of ['', null, 5, ['ec2.amazonaws.com'], { host: 'ec2.amazonaws.com' }]) {
      expect(refused(JSON.stringify(ec2({ eventSource: bad }))).unrelated).toEqual([]);
      expect(refused(JSON.stringify(ec2({ eventName: bad }))).unrelated).toEqual([]);
    }
  });

  it('refuses a control character in eventSource (the full path rejects the JSON)', () => {
    expect(refused(EC2.replace('"ec2.amazonaws.com"', '"ec2.amazonaws.com\t"')).rejected).toEqual(['invalid_json']);
  });

  it('refuses records that carry the top-level key of an AWS envelope', () => {
    // EventBridge: the detail has no eventSource, the envelope source says Secrets Manager: an event.
    const eventBridge = ec2({
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.secretsmanager',
      detail: { eventName: 'GetSecretValue', eventTime: '2026-11-01T10:00:00Z', requestParameters: { secretId: 'prod/db' } },
    });
    expect(refused(JSON.stringify(eventBridge)).events).toBe(1);
    expect(refused(JSON.stringify(ec2({ Records: [] })))).toEqual({ events: 0, unrelated: [], rejected: [] });
    expect(refused(JSON.stringify(ec2({ awslogs: { data: '%%%' } }))).rejected).toEqual(['invalid_base64']);
    expect(refused(JSON.stringify(ec2({ messageType: 'CONTROL_MESSAGE', logGroup: 'g' })))).toEqual({ events: 0, unrelated: [], rejected: [] });
    expect(refused(JSON.stringify(ec2({ digestStartTime: 'x', logFiles: [] }))).unrelated).toEqual(['cloudtrail_digest']);
  });

  it('refuses every envelope of the fixtures that an AWS format before cloudtrail-record claims', () => {
    const before = awsFormats.slice(0, awsFormats.indexOf(cloudTrailRecordFormat));
    expect(before.length).toBeGreaterThan(0);
    const claimed = new Set<string>();
    const root = join(import.meta.dirname, '..', '..', '..', 'fixtures');
    for (const dir of ['golden/aws', 'corpus']) {
      for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith('.json'))) {
        let value: unknown;
        try {
          value = JSON.parse(readFileSync(join(root, dir, name), 'utf8'));
        } catch {
          continue;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
        // The envelope's keys on a screenable record, every string made neutral (no host, no escape).
        const merged = { ...ec2(), ...(neutral(value) as Record<string, unknown>) };
        const format = before.find((f) => f.matches(merged));
        if (format === undefined) continue;
        claimed.add(format.name);
        expect(screenRawCloudTrailRecord(JSON.stringify(merged)), `${dir}/${name}`).toBeUndefined();
      }
    }
    expect([...claimed].sort()).toEqual(before.map((f) => f.name).sort());
  });
});

/** The same structure with every string replaced by `x`. */
function neutral(value: unknown): unknown {
  if (typeof value === 'string') return 'x';
  if (Array.isArray(value)) return value.map(neutral);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, neutral(v)]));
  return value;
}
