import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { allFormats } from '../../normalizers/index.js';
import { Decoder } from '../../src/decode/decoder.js';
import { decodeExportLogsRequest } from '../../src/otlp/codec.js';
import { BearerAuth } from '../../src/receivers/bearer-auth.js';
import { formatEndpoint, parseEndpoint } from '../../src/receivers/endpoint.js';
import { Intake } from '../../src/receivers/intake.js';
import { OtlpIngest, type IngestBudget } from '../../src/receivers/otlp-ingest.js';
import { jsonRequest } from '../otlp/payloads.js';
import { fixtureJson, fixtureText, goldenEvents, plain } from './support.js';

const CLOUDTRAIL = fixtureText('golden/aws/getsecretvalue-minimal.json');
const GOLDEN_AWS = goldenEvents('golden/aws/getsecretvalue-minimal.expected.json');

function request(bodies: (Record<string, unknown> | undefined)[]): ReturnType<typeof decodeExportLogsRequest> {
  return decodeExportLogsRequest(Buffer.from(JSON.stringify(jsonRequest(bodies.map((body) => (body === undefined ? {} : { body }))))), 'json');
}

/** A CloudTrail record as an OTLP kvlist, the way a map body arrives. */
function kvlist(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return { intValue: String(value) };
  if (Array.isArray(value)) return { arrayValue: { values: value.map(kvlist) } };
  return { kvlistValue: { values: Object.entries(value as object).map(([key, v]) => ({ key, value: kvlist(v) })) } };
}

/** The batch of an ingest that must not be refused. */
async function accepted(ingest: OtlpIngest, req: ReturnType<typeof request>, budget?: IngestBudget) {
  const result = await ingest.ingest(req, budget);
  if (result.refusal !== undefined) throw new Error(`refused: ${result.detail}`);
  return result;
}

describe('OtlpIngest', () => {
  it('decodes string, bytes, map and array bodies; rejects empty and scalar ones', async () => {
    const ingest = new OtlpIngest('otlp-test');
    const record = fixtureJson('golden/aws/getsecretvalue-minimal.json');
    const { batch, partialSuccess } = await accepted(
      ingest,
      request([
        { stringValue: CLOUDTRAIL },
        { bytesValue: gzipSync(CLOUDTRAIL).toString('base64') },
        kvlist(record),
        kvlist([record, record]),
        undefined,
        { doubleValue: 1.5 },
      ]),
    );
    expect(batch.logRecords).toBe(6);
    expect(plain(batch.events)).toEqual([...GOLDEN_AWS, ...GOLDEN_AWS, ...GOLDEN_AWS, ...GOLDEN_AWS, ...GOLDEN_AWS]);
    expect(batch.events.map((e) => [e.raw.source, e.raw.index, e.raw.format])).toEqual([
      ['otlp-test', 0, 'cloudtrail-record'],
      ['otlp-test', 1, 'gzip>cloudtrail-record'],
      ['otlp-test', 2, 'cloudtrail-record'],
      ['otlp-test', 3, 'cloudtrail-record'],
      ['otlp-test', 4, 'cloudtrail-record'],
    ]);
    expect(batch.rejections.map((r) => [r.reason, r.detail, r.index])).toEqual([
      ['malformed_record', 'OTLP log record has an empty body', 5],
      ['unknown_format', 'a number is not an audit record', 6],
    ]);
    expect(partialSuccess).toEqual({
      rejectedLogRecords: 2,
      errorMessage:
        '2 of 6 log records rejected in whole or in part: malformed_record x1 (e.g. OTLP log record has an empty body); unknown_format x1 (e.g. a number is not an audit record)',
    });
  });

  it('numbers records across requests and reports full success as undefined', async () => {
    const ingest = new OtlpIngest('otlp-test');
    const first = await accepted(ingest, request([{ stringValue: CLOUDTRAIL }]));
    const second = await accepted(ingest, request([{ stringValue: CLOUDTRAIL }]));
    expect(first.partialSuccess).toBeUndefined();
    expect([first.batch.events[0]?.raw.index, second.batch.events[0]?.raw.index]).toEqual([0, 1]);
  });

  it('counts a log record once however many of its audit records were rejected', async () => {
    const ingest = new OtlpIngest('otlp-test');
    const lines = ['{"x":1}', '{"y":2}', CLOUDTRAIL].join('\n');
    const { batch, partialSuccess } = await accepted(ingest, request([{ stringValue: lines }]));
    expect(batch.events.length).toBe(1);
    expect(batch.rejections.length).toBe(2);
    expect(partialSuccess?.rejectedLogRecords).toBe(1);
    expect(partialSuccess?.errorMessage).toBe('1 of 1 log records rejected in whole or in part: unknown_format x2 (e.g. no known audit record or envelope has keys "x")');
  });

  it('uses the injected decoder factory', async () => {
    let built = 0;
    const ingest = new OtlpIngest('otlp-test', (sink) => {
      built++;
      return new Decoder(allFormats, sink, { maxInputBytes: 10 });
    });
    const { batch } = await accepted(ingest, request([{ bytesValue: Buffer.from(CLOUDTRAIL).toString('base64') }]));
    expect(built).toBe(1);
    expect(batch.rejections.map((r) => r.reason)).toEqual(['too_large']);
  });

  it('bounds the inflated total of one request, nested bodies included, by one budget', async () => {
    const ingest = new OtlpIngest('otlp-test');
    const intake = new Intake(1000, 64 * 1024 * 1024);
    const inflated = Buffer.byteLength(CLOUDTRAIL);
    // Each body fits the limit alone; three of them do not: bytes, base64 text, and gzip in base64 in JSON.
    const limit = 2 * inflated + 10;
    const nested = JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 0, message: CLOUDTRAIL }] })).toString('base64') } });
    for (const third of [{ bytesValue: gzipSync(CLOUDTRAIL).toString('base64') }, { stringValue: gzipSync(CLOUDTRAIL).toString('base64') }, { stringValue: nested }]) {
      const budget = intake.openRequest(limit);
      const result = await ingest.ingest(request([{ bytesValue: gzipSync(CLOUDTRAIL).toString('base64') }, { stringValue: gzipSync(CLOUDTRAIL).toString('base64') }, third]), budget);
      expect(result.refusal).toBe('too_large');
      expect(budget.bytesInflated).toBeLessThanOrEqual(limit);
      budget.release();
      expect(intake.bytesInFlight).toBe(0);
    }
    const budget = intake.openRequest(limit);
    const ok = await accepted(ingest, request([{ bytesValue: gzipSync(CLOUDTRAIL).toString('base64') }, { stringValue: gzipSync(CLOUDTRAIL).toString('base64') }]), budget);
    expect(ok.batch.events).toHaveLength(2);
    expect(budget.bytesInflated).toBe(2 * inflated);
    expect(intake.bytesInFlight).toBe(2 * inflated);
    budget.release();
    budget.release();
    expect(intake.bytesInFlight).toBe(0);
  });

  it('stops a request whose inflated bodies do not fit the intake byte bound (overloaded)', async () => {
    const ingest = new OtlpIngest('otlp-test');
    const intake = new Intake(1000, 1000);
    const other = intake.openRequest(1 << 20);
    expect(other.hold(999)).toBe(true);
    const budget = intake.openRequest(1 << 20);
    const result = await ingest.ingest(request([{ bytesValue: gzipSync(CLOUDTRAIL).toString('base64') }]), budget);
    expect(result.refusal).toBe('overloaded');
    budget.release();
    other.release();
    expect(intake.bytesInFlight).toBe(0);
  });
});

describe('receiver parts', () => {
  it('BearerAuth accepts only "Bearer <token>"', () => {
    const auth = new BearerAuth('abc123');
    expect(auth.check('Bearer abc123')).toBe(true);
    expect(auth.check('bearer abc123')).toBe(true);
    expect(auth.check('Bearer abc1234')).toBe(false);
    expect(auth.check('abc123')).toBe(false);
    expect(auth.check('Basic abc123')).toBe(false);
    expect(auth.check(undefined)).toBe(false);
    expect(new BearerAuth('').check('Bearer ')).toBe(false);
  });

  it('parseEndpoint reads host:port, IPv6 in brackets, and names the key on error', () => {
    expect(parseEndpoint('127.0.0.1:4318', 'k')).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(parseEndpoint('[::1]:0', 'k')).toEqual({ host: '::1', port: 0 });
    expect(formatEndpoint({ host: '::1', port: 4317 })).toBe('[::1]:4317');
    expect(() => parseEndpoint('localhost:70000', 'receivers.x.endpoint')).toThrow('receivers.x.endpoint must be "host:port"');
  });

  it('Intake admits up to its bound, and one oversized request when idle', () => {
    const intake = new Intake(10);
    expect(intake.tryAcquire(25)).toBe(true);
    expect(intake.full).toBe(true);
    expect(intake.tryAcquire(1)).toBe(false);
    intake.release(25);
    expect(intake.tryAcquire(6)).toBe(true);
    expect(intake.tryAcquire(5)).toBe(false);
    expect(intake.tryAcquire(4)).toBe(true);
    expect(intake.recordsInFlight).toBe(10);
    expect(() => new Intake(0)).toThrow('max_records_in_flight must be a positive integer, got 0');
    expect(() => new Intake(1, 0)).toThrow('max_bytes_in_flight must be a positive integer, got 0');
  });

  it('Intake admits bytes up to its bound, and a request holding everything in flight beyond it', () => {
    const intake = new Intake(10, 100);
    const a = intake.openRequest(1000);
    expect(a.hold(150)).toBe(true); // alone: goes through
    const b = intake.openRequest(1000);
    expect(b.hold(1)).toBe(false);
    expect(b.refusal).toBe('overloaded');
    expect(intake.full).toBe(true);
    expect(a.hold(10)).toBe(true); // still alone
    a.release();
    expect(intake.bytesInFlight).toBe(0);
    const c = intake.openRequest(50);
    expect(c.spend(40)).toBe(true);
    expect(c.spend(20)).toBe(false);
    expect(c.refusal).toBe('too_large');
    c.release();
    b.release();
    expect(intake.bytesInFlight).toBe(0);
  });
});
