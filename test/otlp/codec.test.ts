import { describe, expect, it } from 'vitest';
import { SecretwatchError } from '../../src/errors/codes.js';
import {
  anyValueToJs,
  attributesToJs,
  countLogRecords,
  decodeExportLogsRequest,
  encodeExportLogsResponse,
  type ExportLogsRequest,
} from '../../src/otlp/codec.js';
import { otlpLogsTypes } from '../../src/otlp/proto-root.js';
import { deeplyNestedJson, deeplyNestedProtobuf, jsonRequest, protobufRequest } from './payloads.js';

const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

function malformed(fn: () => unknown): SecretwatchError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretwatchError);
    expect((err as SecretwatchError).code).toBe('SW_OTLP_MALFORMED');
    return err as SecretwatchError;
  }
  throw new Error('expected SW_OTLP_MALFORMED');
}

// Every AnyValue kind, ids, times past 2^53, attributes.
const fullRecord = {
  timeUnixNano: '1722429412123456789',
  observedTimeUnixNano: '1722429413000000000',
  severityNumber: 17,
  severityText: 'ERROR',
  eventName: 'audit',
  flags: 1,
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  attributes: [
    { key: 'cloud.provider', value: { stringValue: 'aws' } },
    { key: 'n', value: { intValue: '9007199254740993' } },
  ],
  body: {
    kvlistValue: {
      values: [
        { key: 's', value: { stringValue: 'x' } },
        { key: 'b', value: { boolValue: true } },
        { key: 'i', value: { intValue: '-42' } },
        { key: 'd', value: { doubleValue: 1.5 } },
        { key: 'y', value: { bytesValue: 'AQID' } },
        { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, {}] } } },
        { key: 'e', value: {} },
      ],
    },
  },
};

const expectedRecord = {
  timeUnixNano: 1722429412123456789n,
  observedTimeUnixNano: 1722429413000000000n,
  severityNumber: 17,
  severityText: 'ERROR',
  eventName: 'audit',
  flags: 1,
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  droppedAttributesCount: 0,
  attributes: { 'cloud.provider': { kind: 'string', value: 'aws' }, n: { kind: 'int', value: 9007199254740993n } },
  body: {
    kind: 'kvlist',
    values: [
      { key: 's', value: { kind: 'string', value: 'x' } },
      { key: 'b', value: { kind: 'bool', value: true } },
      { key: 'i', value: { kind: 'int', value: -42n } },
      { key: 'd', value: { kind: 'double', value: 1.5 } },
      { key: 'y', value: { kind: 'bytes', value: Buffer.from([1, 2, 3]) } },
      { key: 'a', value: { kind: 'array', values: [{ kind: 'string', value: 'p' }, { kind: 'empty' }] } },
      { key: 'e', value: { kind: 'empty' } },
    ],
  },
};

describe('decodeExportLogsRequest', () => {
  it('decodes OTLP/JSON into the typed request', () => {
    const req = decodeExportLogsRequest(json(jsonRequest([fullRecord])), 'json');
    expect(countLogRecords(req)).toBe(1);
    const rl = req.resourceLogs[0];
    expect(rl?.resource?.attributes['service.name']).toEqual({ kind: 'string', value: 'collector' });
    expect(rl?.scopeLogs[0]?.scope).toEqual({ name: 'test', version: '1', attributes: {}, droppedAttributesCount: 0 });
    const record = rl?.scopeLogs[0]?.logRecords[0];
    expect({ ...record, body: { ...record?.body, values: undefined } }).toEqual({ ...expectedRecord, body: { kind: 'kvlist', values: undefined } });
    expect(record?.body).toEqual(expectedRecord.body);
  });

  it('decodes protobuf into the same object as OTLP/JSON', () => {
    // protobufjs reads ids as base64 in fromObject; give it bytes instead.
    const pbRecord = { ...fullRecord, traceId: Buffer.from(fullRecord.traceId, 'hex'), spanId: Buffer.from(fullRecord.spanId, 'hex') };
    const fromPb = decodeExportLogsRequest(protobufRequest(jsonRequest([pbRecord])), 'protobuf');
    const fromJson = decodeExportLogsRequest(json(jsonRequest([fullRecord])), 'json');
    const normalize = (r: ExportLogsRequest): unknown => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v)));
    expect(normalize(fromPb)).toEqual(normalize(fromJson));
    expect(fromPb.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.timeUnixNano).toBe(1722429412123456789n);
    expect(fromPb.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.traceId).toBe('5b8efff798038103d269b633813fc60c');
  });

  it('reads absent fields as protobuf defaults and an empty body as undefined', () => {
    const req = decodeExportLogsRequest(json({ resourceLogs: [{ scopeLogs: [{ logRecords: [{}, { body: {} }, { body: null }] }] }] }), 'json');
    const records = req.resourceLogs[0]?.scopeLogs[0]?.logRecords ?? [];
    expect(records.map((r) => r.body)).toEqual([undefined, undefined, undefined]);
    expect(records[0]).toMatchObject({ timeUnixNano: 0n, severityNumber: 0, traceId: '', eventName: '' });
    expect(decodeExportLogsRequest(new Uint8Array(0), 'protobuf')).toEqual({ resourceLogs: [] });
    expect(decodeExportLogsRequest(json({}), 'json')).toEqual({ resourceLogs: [] });
  });

  it('accepts OTLP/JSON numbers for 64-bit integers and enum names for severity', () => {
    const req = decodeExportLogsRequest(
      json(jsonRequest([{ timeUnixNano: 1722429412000000000, severityNumber: 'SEVERITY_NUMBER_WARN2', body: { intValue: 7 } }])),
      'json',
    );
    const r = req.resourceLogs[0]?.scopeLogs[0]?.logRecords[0];
    expect(r?.severityNumber).toBe(14);
    expect(r?.body).toEqual({ kind: 'int', value: 7n });
  });

  it('rejects malformed OTLP/JSON with a message naming the place', () => {
    expect(malformed(() => decodeExportLogsRequest(Buffer.from('{"resourceLogs": ['), 'json')).message).toMatch(/^OTLP\/JSON body is not valid JSON/);
    expect(malformed(() => decodeExportLogsRequest(Buffer.from([0xff, 0xfe]), 'json')).message).toBe('OTLP/JSON body is not valid UTF-8');
    expect(malformed(() => decodeExportLogsRequest(json([]), 'json')).message).toBe('OTLP/JSON the request must be a JSON object');
    expect(malformed(() => decodeExportLogsRequest(json({ resourceLogs: {} }), 'json')).message).toBe('OTLP/JSON resourceLogs must be an array');
    expect(malformed(() => decodeExportLogsRequest(json(jsonRequest([{ timeUnixNano: 'soon' }])), 'json')).message).toBe(
      'OTLP/JSON resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano must be an integer from 0 to 18446744073709551615 (a decimal string or a number)',
    );
    expect(malformed(() => decodeExportLogsRequest(json(jsonRequest([{ traceId: 'W46/95gDgQPSabYzgT/GDA==' }])), 'json')).message).toBe(
      'OTLP/JSON resourceLogs[0].scopeLogs[0].logRecords[0].traceId must be hex (OTLP/JSON writes ids as hex, not base64)',
    );
    const nested = { body: { kvlistValue: { values: [{ key: 'k', value: { arrayValue: { values: [{ stringValue: 1 }] } } }] } } };
    expect(malformed(() => decodeExportLogsRequest(json(jsonRequest([{}, nested])), 'json')).message).toBe(
      'OTLP/JSON resourceLogs[0].scopeLogs[0].logRecords[1].body.kvlistValue.values[0].value.arrayValue.values[0].stringValue must be a string',
    );
    expect(malformed(() => decodeExportLogsRequest(json(jsonRequest([{ body: { stringValue: 'a', intValue: '1' } }])), 'json')).message).toBe(
      'OTLP/JSON resourceLogs[0].scopeLogs[0].logRecords[0].body sets both stringValue and intValue; an AnyValue holds one value',
    );
  });

  it('rejects garbage protobuf', () => {
    // Field 1, length-delimited, claims 2 GiB of data.
    const err = malformed(() => decodeExportLogsRequest(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07]), 'protobuf'));
    expect(err.message).toMatch(/^body is not a protobuf ExportLogsServiceRequest: index out of range/);
    expect(malformed(() => decodeExportLogsRequest(Buffer.from('not a protobuf at all'), 'protobuf')).message).toMatch(/invalid wire type/);
  });

  it('bounds nesting: 100,000 levels are rejected in both encodings without exhausting the stack', () => {
    expect(malformed(() => decodeExportLogsRequest(deeplyNestedProtobuf(100_000), 'protobuf')).message).toBe(
      'body is not a protobuf ExportLogsServiceRequest: messages nested too deep (log bodies may nest at most 64 AnyValue levels)',
    );
    const deepJson = malformed(() => decodeExportLogsRequest(Buffer.from(deeplyNestedJson(100_000)), 'json')).message;
    expect(deepJson).toMatch(/^OTLP\/JSON resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.body\.kvlistValue\.values\[0\]\.value\.kvlistValue.*…(.*)\.kvlistValue\.values\[0\]\.value: AnyValue nested deeper than 64 levels$/);
    expect(deepJson.length).toBeLessThanOrEqual(320);
    // 65 levels pass protobufjs's own bound and are stopped by ours, with the record named.
    expect(malformed(() => decodeExportLogsRequest(deeplyNestedProtobuf(65), 'protobuf')).message).toBe(
      'resourceLogs[0].scopeLogs[0].logRecords[0]: AnyValue nested deeper than 64 levels',
    );
    // 63 levels (64 AnyValues counting the innermost string) are fine in both.
    const ok = decodeExportLogsRequest(deeplyNestedProtobuf(63), 'protobuf');
    expect(ok).toEqual(decodeExportLogsRequest(Buffer.from(deeplyNestedJson(63)), 'json'));
  });
});

describe('anyValueToJs', () => {
  it('converts every kind to plain JSON-like values', () => {
    const req = decodeExportLogsRequest(json(jsonRequest([fullRecord])), 'json');
    const record = req.resourceLogs[0]?.scopeLogs[0]?.logRecords[0];
    expect(record?.body && anyValueToJs(record.body)).toEqual({ s: 'x', b: true, i: -42, d: 1.5, y: 'AQID', a: ['p', null], e: null });
    expect(record && attributesToJs(record.attributes)).toEqual({ 'cloud.provider': 'aws', n: '9007199254740993' });
  });

  it('keeps __proto__ and constructor keys as own data without touching any prototype', () => {
    const body = {
      kvlistValue: {
        values: [
          { key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } },
          { key: 'constructor', value: { kvlistValue: { values: [{ key: 'prototype', value: { stringValue: 'x' } }] } } },
          { key: 'eventName', value: { stringValue: 'GetSecretValue' } },
        ],
      },
    };
    for (const bytes of [json(jsonRequest([{ body }])), protobufRequest(jsonRequest([{ body }]))]) {
      const req = decodeExportLogsRequest(bytes, bytes instanceof Buffer && bytes[0] === 0x7b ? 'json' : 'protobuf');
      const value = anyValueToJs(req.resourceLogs[0]?.scopeLogs[0]?.logRecords[0]?.body ?? { kind: 'empty' }) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBeNull();
      expect(Object.keys(value)).toEqual(['__proto__', 'constructor', 'eventName']);
      expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
      expect((value as { polluted?: unknown }).polluted).toBeUndefined();
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(JSON.stringify(value)).toBe('{"__proto__":{"polluted":true},"constructor":{"prototype":"x"},"eventName":"GetSecretValue"}');
    }
  });
});

describe('encodeExportLogsResponse', () => {
  const { response } = otlpLogsTypes();

  it('leaves partial_success unset on full success', () => {
    expect(encodeExportLogsResponse(undefined, 'protobuf').length).toBe(0);
    expect(encodeExportLogsResponse({ rejectedLogRecords: 0, errorMessage: '' }, 'protobuf').length).toBe(0);
    expect(Buffer.from(encodeExportLogsResponse(undefined, 'json')).toString()).toBe('{}');
  });

  it('encodes a partial success in both encodings', () => {
    const ps = { rejectedLogRecords: 3, errorMessage: '3 of 10 log records rejected' };
    const decoded = response.toObject(response.decode(encodeExportLogsResponse(ps, 'protobuf')), { longs: Number });
    expect(decoded).toEqual({ partialSuccess: ps });
    expect(JSON.parse(Buffer.from(encodeExportLogsResponse(ps, 'json')).toString())).toEqual({
      partialSuccess: { rejectedLogRecords: '3', errorMessage: '3 of 10 log records rejected' },
    });
  });
});
