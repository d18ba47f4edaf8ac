import { gzipSync, gunzipSync } from 'node:zlib';
import { allFormats } from '../normalizers/index.js';
import { InputCursor } from '../src/decode/cursor.js';
import { Decoder } from '../src/decode/decoder.js';
import type { DecodeSink } from '../src/decode/sink.js';
import { cloudTrailRecord, hexId, secretArn } from './gen/cloudtrail.js';
import { measurePair, prng } from './measure.js';
import type { BenchRow } from './types.js';

const ACCOUNT = '123456789012';
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const OTHER_CALLS = [
  ['s3.amazonaws.com', 'GetObject'],
  ['ec2.amazonaws.com', 'DescribeInstances'],
  ['sts.amazonaws.com', 'AssumeRole'],
  ['kms.amazonaws.com', 'Decrypt'],
] as const;

/**
 * A day-shaped mix of CloudTrail records as JSON lines: 60% GetSecretValue (some denied), 15% SSM
 * GetParameters with decryption, 25% other services. Deterministic.
 */
export function cloudTrailLines(count: number, seed = 1): string[] {
  const rand = prng(seed);
  const lines: string[] = [];
  const start = Date.UTC(2026, 10, 1);
  for (let i = 0; i < count; i++) {
    const r = rand();
    const region = REGIONS[i % REGIONS.length] ?? 'us-east-1';
    const principal =
      rand() < 0.7
        ? { kind: 'role' as const, role: `app-${Math.floor(rand() * 200)}`, session: `i-${hexId(i).slice(0, 17)}` }
        : { kind: 'user' as const, name: `user${Math.floor(rand() * 500)}` };
    const base = {
      timeMs: start + i * 37,
      account: ACCOUNT,
      region,
      principal,
      sourceIp: `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`,
      userAgent: 'aws-sdk-java/2.25.60 Linux/6.1.72 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE',
      eventId: hexId(i, seed),
    };
    let record;
    if (r < 0.6) {
      const name = `prod/app-${Math.floor(rand() * 300)}/db`;
      record = cloudTrailRecord({
        ...base,
        eventSource: 'secretsmanager.amazonaws.com',
        eventName: 'GetSecretValue',
        requestParameters: { secretId: rand() < 0.5 ? name : secretArn(ACCOUNT, region, name, 'AbC123') },
        ...(rand() < 0.05 ? { errorCode: 'AccessDenied' } : {}),
      });
    } else if (r < 0.75) {
      record = cloudTrailRecord({
        ...base,
        eventSource: 'ssm.amazonaws.com',
        eventName: 'GetParameters',
        requestParameters: { names: [`/app/${Math.floor(rand() * 50)}/password`, `/app/${Math.floor(rand() * 50)}/token`], withDecryption: true },
      });
    } else {
      const [eventSource, eventName] = OTHER_CALLS[Math.floor(rand() * OTHER_CALLS.length)] ?? OTHER_CALLS[0];
      record = cloudTrailRecord({ ...base, eventSource, eventName, requestParameters: { bucketName: 'logs', key: `k/${i}` } });
    }
    lines.push(JSON.stringify(record));
  }
  return lines;
}

/** CloudWatch Logs subscription payloads (gzip) of `perPayload` CloudTrail records each. */
export function cloudWatchPayloads(lines: readonly string[], perPayload = 50): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < lines.length; i += perPayload) {
    const logEvents = lines.slice(i, i + perPayload).map((message, j) => ({
      id: `${37000000000000000000000000000000000000000000000000 + i + j}`,
      timestamp: Date.UTC(2026, 10, 1) + (i + j) * 37,
      message,
    }));
    const envelope = {
      messageType: 'DATA_MESSAGE',
      owner: ACCOUNT,
      logGroup: 'aws-cloudtrail-logs-123456789012',
      logStream: `${ACCOUNT}_CloudTrail_us-east-1`,
      subscriptionFilters: ['secretwatch'],
      logEvents,
    };
    out.push(gzipSync(JSON.stringify(envelope)));
  }
  return out;
}

function countingDecoder(): { decoder: Decoder; counts: { events: number; other: number } } {
  const counts = { events: 0, other: 0 };
  const sink: DecodeSink = {
    event: () => void counts.events++,
    rejection: () => void counts.other++,
    unrelated: () => void counts.other++,
  };
  return { decoder: new Decoder(allFormats, sink), counts };
}

export function runNormalizeBench(seconds = 1): BenchRow[] {
  const lines = cloudTrailLines(20_000);
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const { decoder, counts } = countingDecoder();
  const cursor = new InputCursor('bench');
  let sink = 0;
  const [bare, normalized] = measurePair(
    () => {
      for (const line of lines) sink += (JSON.parse(line) as { eventVersion: string }).eventVersion.length;
    },
    () => {
      for (const line of lines) decoder.decodeText(line, cursor);
    },
    lines.length,
    seconds,
  );
  if (counts.events === 0 || sink === 0) throw new Error('normalize bench produced no events');

  const payloads = cloudWatchPayloads(lines);
  const [bareGzip, normalizedGzip] = measurePair(
    () => {
      for (const p of payloads) {
        const envelope = JSON.parse(gunzipSync(p).toString('utf8')) as { logEvents: { message: string }[] };
        for (const e of envelope.logEvents) sink += (JSON.parse(e.message) as { eventVersion: string }).eventVersion.length;
      }
    },
    () => {
      for (const p of payloads) decoder.decodeBytes(p, cursor);
    },
    lines.length,
    seconds,
  );
  const avg = Math.round(bytes / lines.length);
  return [
    { name: 'normalize.cloudtrail_jsonl.bare_json_parse', value: bare, unit: 'records/s', note: `${avg} B/record` },
    { name: 'normalize.cloudtrail_jsonl.normalize', value: normalized, unit: 'records/s' },
    { name: 'normalize.cloudtrail_jsonl.ratio', value: normalized / bare, unit: 'x bare', note: 'target >= 0.67' },
    { name: 'normalize.cwl_gzip.bare_gunzip_json_parse', value: bareGzip, unit: 'records/s', note: '50 records per payload; gunzip + envelope + messages' },
    { name: 'normalize.cwl_gzip.normalize', value: normalizedGzip, unit: 'records/s' },
    { name: 'normalize.cwl_gzip.ratio', value: normalizedGzip / bareGzip, unit: 'x bare', note: 'target >= 0.67' },
  ];
}
