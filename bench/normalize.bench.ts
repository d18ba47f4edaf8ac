import { gzipSync, gunzipSync } from 'node:zlib';
import { allFormats } from '../normalizers/index.js';
import { InputCursor } from '../src/decode/cursor.js';
import { Decoder } from '../src/decode/decoder.js';
import type { DecodeSink } from '../src/decode/sink.js';
import { cloudTrailRecord, hexId, secretArn } from './gen/cloudtrail.js';
import { alternate, prng, spreadRow } from './measure.js';
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

/** The first `count` lines of the mix that are secret reads (each decodes to an event). */
function secretReadLines(count: number): string[] {
  const { decoder, counts } = countingDecoder();
  const cursor = new InputCursor('bench');
  const out: string[] = [];
  for (const line of cloudTrailLines(Math.ceil(count * 1.5), 2)) {
    const before = counts.events;
    decoder.decodeText(line, cursor);
    if (counts.events > before) out.push(line);
    if (out.length === count) return out;
  }
  throw new Error(`normalize bench: fewer than ${count} secret reads in the mix`);
}

function bareParse(lines: readonly string[], into: { sink: number }): () => void {
  return () => {
    for (const line of lines) into.sink += (JSON.parse(line) as { eventVersion: string }).eventVersion.length;
  };
}

/**
 * Decoding CloudTrail records next to a bare `JSON.parse` of the same records, in alternating
 * rounds: the day-shaped mix (a quarter of it unrelated calls the decoder screens out from their
 * text), the secret reads alone (every record parsed and normalized: the worst case), and
 * CloudWatch Logs gzip payloads of the mix.
 */
export async function runNormalizeBench(seconds = 0.4): Promise<BenchRow[]> {
  const lines = cloudTrailLines(20_000);
  const secretLines = secretReadLines(20_000);
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const { decoder, counts } = countingDecoder();
  const cursor = new InputCursor('bench');
  const into = { sink: 0 };
  const payloads = cloudWatchPayloads(lines);
  const m = await alternate(
    [
      { run: bareParse(lines, into), items: lines.length },
      { run: () => lines.forEach((line) => decoder.decodeText(line, cursor)), items: lines.length },
      { run: bareParse(secretLines, into), items: secretLines.length },
      { run: () => secretLines.forEach((line) => decoder.decodeText(line, cursor)), items: secretLines.length },
      {
        run: () => {
          for (const p of payloads) {
            const envelope = JSON.parse(gunzipSync(p).toString('utf8')) as { logEvents: { message: string }[] };
            for (const e of envelope.logEvents) into.sink += (JSON.parse(e.message) as { eventVersion: string }).eventVersion.length;
          }
        },
        items: lines.length,
      },
      { run: () => payloads.forEach((p) => decoder.decodeBytes(p, cursor)), items: lines.length },
    ],
    { seconds },
  );
  if (counts.events === 0 || into.sink === 0) throw new Error('normalize bench produced no events');
  const avg = Math.round(bytes / lines.length);
  const secretAvg = Math.round(secretLines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) / secretLines.length);
  return [
    spreadRow('normalize.cloudtrail_jsonl.bare_json_parse', m.rate(0), 'records/s', `${avg} B/record; 75% secret reads, 25% unrelated calls`),
    spreadRow('normalize.cloudtrail_jsonl.normalize', m.rate(1), 'records/s'),
    spreadRow('normalize.cloudtrail_jsonl.ratio', m.ratio(1, 0), 'x bare', 'per-round ratio; target >= 0.67'),
    spreadRow('normalize.cloudtrail_secret_reads.bare_json_parse', m.rate(2), 'records/s', `${secretAvg} B/record; secret reads only`),
    spreadRow('normalize.cloudtrail_secret_reads.normalize', m.rate(3), 'records/s', 'every record parsed and normalized'),
    spreadRow('normalize.cloudtrail_secret_reads.ratio', m.ratio(3, 2), 'x bare', 'per-round ratio; target >= 0.67'),
    spreadRow('normalize.cwl_gzip.bare_gunzip_json_parse', m.rate(4), 'records/s', '50 records per payload; gunzip + envelope + messages'),
    spreadRow('normalize.cwl_gzip.normalize', m.rate(5), 'records/s'),
    spreadRow('normalize.cwl_gzip.ratio', m.ratio(5, 4), 'x bare', 'per-round ratio; target >= 0.67'),
  ];
}
