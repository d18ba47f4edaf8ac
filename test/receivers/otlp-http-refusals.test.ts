import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpLogsTypes } from '../../src/otlp/proto-root.js';
import { decodeRpcStatus } from '../../src/otlp/rpc-status.js';
import { OtlpHttpReceiver } from '../../src/receivers/otlp-http/receiver.js';
import { deeplyNestedJson, deeplyNestedProtobuf, jsonRequest, protobufRequest, stringRecord } from '../otlp/payloads.js';
import { collector, fixtureJson, fixtureText, goldenEvents, plain, post, type RawResponse } from './support.js';

const CLOUDTRAIL = fixtureText('golden/aws/getsecretvalue-minimal.json');
const TOKEN = 'tok-3f9a1c';
const PB = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${TOKEN}` };
const JSON_CT = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
const MAX_REQUEST = 6 * 1024 * 1024;
const MAX_INFLATED = 8 * 1024 * 1024;

const sink = collector();
const errors: Error[] = [];
const receiver = new OtlpHttpReceiver(
  { endpoint: '127.0.0.1:0', bearer_token: TOKEN, max_request_bytes: MAX_REQUEST, max_decompressed_bytes: MAX_INFLATED },
  { consumer: sink.consumer, onError: (e) => errors.push(e) },
);
let port = 0;

beforeAll(async () => {
  port = await receiver.start();
});
afterAll(() => receiver.stop());

const good = (): Uint8Array => protobufRequest(jsonRequest([stringRecord(CLOUDTRAIL)]));

/** The status message of an error response, whichever encoding it came in. */
function statusOf(res: RawResponse): { code: number; message: string } {
  if (res.headers['content-type'] !== 'application/json') return decodeRpcStatus(res.body);
  const { code, message } = JSON.parse(res.body.toString()) as { code: number; message: string };
  return { code, message };
}

/** After each refusal: the same keep-alive connection still carries a good request. */
async function expectGoodRequestWorks(refused?: RawResponse): Promise<void> {
  const before = sink.events().length;
  const res = await post(port, good(), PB);
  expect(res.status).toBe(200);
  if (refused !== undefined) expect(res.localPort).toBe(refused.localPort);
  expect(res.body.length).toBe(0); // full success: partial_success unset
  expect(sink.events().length).toBe(before + 1);
}

describe('OTLP/HTTP receiver refusals', () => {
  it('accepts a good request', async () => {
    await expectGoodRequestWorks();
    expect(plain(sink.events().slice(-1))).toEqual(goldenEvents('golden/aws/getsecretvalue-minimal.expected.json'));
  });

  it('garbage protobuf: 400 with the decoder message', async () => {
    const res = await post(port, Buffer.from('not a protobuf at all'), PB);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(statusOf(res)).toEqual({ code: 3, message: 'body is not a protobuf ExportLogsServiceRequest: invalid wire type 6 at offset 1' });
    await expectGoodRequestWorks(res);
  });

  it('malformed OTLP/JSON: 400 naming the field', async () => {
    const res = await post(port, JSON.stringify(jsonRequest([{ body: { stringValue: 42 } }])), JSON_CT);
    expect(res.status).toBe(400);
    expect(statusOf(res)).toEqual({ code: 3, message: 'OTLP/JSON resourceLogs[0].scopeLogs[0].logRecords[0].body.stringValue must be a string' });
    await expectGoodRequestWorks(res);
  });

  it('wrong content type: 415', async () => {
    const res = await post(port, CLOUDTRAIL, { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(415);
    expect(statusOf(res).message).toBe('unsupported content type "text/plain"; send application/x-protobuf or application/json');
    await expectGoodRequestWorks(res);
  });

  it('unsupported content encoding: 415', async () => {
    const res = await post(port, good(), { ...PB, 'content-encoding': 'br' });
    expect(res.status).toBe(415);
    expect(statusOf(res).message).toBe('unsupported content encoding "br"; send gzip or identity');
    await expectGoodRequestWorks(res);
  });

  it('wrong path: 404; wrong method: 405 with Allow', async () => {
    const notFound = await post(port, good(), PB, { path: '/v1/traces' });
    expect(notFound.status).toBe(404);
    expect(statusOf(notFound).message).toBe('no OTLP endpoint at /v1/traces; logs are received at POST /v1/logs');
    const wrongMethod = await post(port, '', { authorization: `Bearer ${TOKEN}` }, { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    await expectGoodRequestWorks(wrongMethod);
  });

  it('missing or wrong bearer token: 401 with WWW-Authenticate', async () => {
    let res: RawResponse | undefined;
    for (const headers of [{ 'content-type': 'application/x-protobuf' }, { ...PB, authorization: 'Bearer tok-3f9a1d' }, { ...PB, authorization: TOKEN }]) {
      res = await post(port, good(), headers);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(statusOf(res)).toEqual({ code: 16, message: 'missing or invalid bearer token (send "Authorization: Bearer <token>")' });
    }
    expect(receiver.stats.unauthorized).toBe(3);
    await expectGoodRequestWorks(res);
  });

  it('oversized body, declared: 413 before reading it', async () => {
    const res = await post(port, Buffer.alloc(MAX_REQUEST + 1), PB);
    expect(res.status).toBe(413);
    expect(statusOf(res).message).toBe(`request body of ${MAX_REQUEST + 1} bytes exceeds max_request_bytes (${MAX_REQUEST})`);
    await expectGoodRequestWorks(res);
  });

  it('oversized body, chunked (no length): 413 once the limit is passed', async () => {
    const res = await post(port, Buffer.alloc(MAX_REQUEST + 64 * 1024), { ...PB, 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(413);
    expect(statusOf(res).message).toBe(`request body exceeds ${MAX_REQUEST} bytes`);
    await expectGoodRequestWorks(res);
  });

  it('gzip bomb: 413 once the inflated size passes the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(MAX_REQUEST);
    const tooLargeBefore = receiver.stats.tooLarge;
    const res = await post(port, bomb, { ...PB, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(statusOf(res).message).toBe(`gzip request body inflates to more than ${MAX_INFLATED} bytes`);
    expect(receiver.stats.tooLarge - tooLargeBefore).toBe(1);
    await expectGoodRequestWorks(res);
  });

  it('gzip header on a plain body: 400', async () => {
    const res = await post(port, good(), { ...PB, 'content-encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(statusOf(res).message).toBe('request body is not valid gzip: incorrect header check');
    await expectGoodRequestWorks(res);
  });

  it('gzip bodies that fit are accepted', async () => {
    const res = await post(port, gzipSync(good()), { ...PB, 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
  });

  it('100,000 levels of nesting, JSON and protobuf: 400, no crash', async () => {
    const json = await post(port, deeplyNestedJson(100_000), JSON_CT);
    expect(json.status).toBe(400);
    expect(statusOf(json).message).toMatch(/^OTLP\/JSON resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.body\..*: AnyValue nested deeper than 64 levels$/);
    const pb = await post(port, deeplyNestedProtobuf(100_000), PB);
    expect(pb.status).toBe(400);
    expect(statusOf(pb).message).toBe('body is not a protobuf ExportLogsServiceRequest: messages nested too deep (log bodies may nest at most 64 AnyValue levels)');
    await expectGoodRequestWorks(pb);
  });

  it('__proto__ and constructor keys in a kvlist body: the record is read, no prototype is touched', async () => {
    const record = fixtureJson('golden/aws/getsecretvalue-minimal.json') as Record<string, unknown>;
    const kv = (key: string, value: Record<string, unknown>): Record<string, unknown> => ({ key, value });
    const values = [
      kv('__proto__', { kvlistValue: { values: [kv('polluted', { stringValue: 'yes' })] } }),
      kv('constructor', { kvlistValue: { values: [kv('prototype', { kvlistValue: { values: [kv('polluted2', { boolValue: true })] } })] } }),
      ...Object.entries(record).map(([key, v]) =>
        kv(key, typeof v === 'string' ? { stringValue: v } : { kvlistValue: { values: Object.entries(v as object).map(([k2, v2]) => kv(k2, { stringValue: String(v2) })) } }),
      ),
    ];
    const body = JSON.stringify(jsonRequest([{ timeUnixNano: '1', body: { kvlistValue: { values } } }]));
    const before = sink.events().length;
    const res = await post(port, body, JSON_CT);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({});
    expect(plain(sink.events().slice(before))).toEqual(goldenEvents('golden/aws/getsecretvalue-minimal.expected.json'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    await expectGoodRequestWorks(res);
  });

  it('partial success in OTLP/JSON: rejected records counted, reasons summarized', async () => {
    const body = JSON.stringify(jsonRequest([stringRecord(CLOUDTRAIL), { timeUnixNano: '1' }, stringRecord('{"eventVersion": truncated'), { body: { intValue: '5' } }]));
    const res = await post(port, body, JSON_CT);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const { partialSuccess } = JSON.parse(res.body.toString()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    expect(partialSuccess.rejectedLogRecords).toBe('3');
    // The JSON.parse wording differs between Node versions; the rest is ours.
    expect(partialSuccess.errorMessage).toMatch(
      /^3 of 4 log records rejected in whole or in part: malformed_record x1 \(e\.g\. OTLP log record has an empty body\); invalid_json x1 \(e\.g\. invalid JSON: .+\); unknown_format x1 \(e\.g\. a number is not an audit record\)$/,
    );
  });

  it('partial success in protobuf', async () => {
    const res = await post(port, protobufRequest(jsonRequest([stringRecord(CLOUDTRAIL), stringRecord('hello world')])), PB);
    expect(res.status).toBe(200);
    const { response } = otlpLogsTypes();
    expect(response.toObject(response.decode(res.body), { longs: Number })).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage: '1 of 2 log records rejected in whole or in part: invalid_json x1 (e.g. input is not JSON, JSON lines, gzip or base64)',
      },
    });
  });

  it('an empty request is a success', async () => {
    const res = await post(port, '{}', JSON_CT);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{}');
  });

  it('counted every refusal and reported no internal error', () => {
    expect(errors).toEqual([]);
    expect(receiver.stats.malformed).toBe(5);
    expect(receiver.stats.tooLarge).toBe(3);
    expect(receiver.stats.unsupported).toBe(4);
    expect(receiver.stats.rejectedByReason.get('malformed_record')).toBe(1);
  });
});
