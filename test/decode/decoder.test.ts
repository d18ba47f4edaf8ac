import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RecordFormat } from '../../normalizers/format.js';
import { InputCursor } from '../../src/decode/cursor.js';
import { Decoder } from '../../src/decode/decoder.js';
import type { Rejection } from '../../src/decode/rejection.js';
import { decodeAll } from '../support/collect.js';
import { getSecretValue } from '../support/records.js';

const corpus = join(import.meta.dirname, '..', '..', 'fixtures', 'corpus');

describe('Decoder', () => {
  it('decodes JSON lines and keeps the neighbours of a bad line', () => {
    const text = [
      JSON.stringify(getSecretValue({ eventID: 'a' })),
      '{"eventVersion": "1.09", "userIdentity": {',
      '',
      JSON.stringify(getSecretValue({ eventID: 'b' })),
    ].join('\n');
    const got = decodeAll(text, 'lines.jsonl');
    expect(got.events.map((e) => e.event_id)).toEqual(['a', 'b']);
    expect(got.rejections).toHaveLength(1);
    expect(got.rejections[0]).toMatchObject({ reason: 'invalid_json', source: 'lines.jsonl', index: 1 });
    expect(got.rejections[0]?.detail).toMatch(/^line 2: invalid JSON/);
    expect(got.events.map((e) => e.raw.index)).toEqual([0, 2]);
    expect(got.records).toBe(3);
  });

  it('inflates a gzip CloudTrail log file and reports the envelope chain', () => {
    const file = gzipSync(JSON.stringify({ Records: [getSecretValue(), getSecretValue({ eventID: 'two' })] }));
    const got = decodeAll(file);
    expect(got.events).toHaveLength(2);
    expect(got.events[0]?.raw.format).toMatch(/^gzip>.+>.+/);
    expect(got.rejections).toEqual([]);
  });

  it('rejects truncated gzip without throwing', () => {
    const file = gzipSync(JSON.stringify({ Records: [getSecretValue()] }));
    const got = decodeAll(file.subarray(0, file.length - 10));
    expect(got.events).toEqual([]);
    expect(got.rejections.map((r) => r.reason)).toEqual(['invalid_gzip']);
  });

  it('stops a gzip bomb at the decompression limit', () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const got = decodeAll(bomb, 'bomb', { maxDecompressedBytes: 1024 * 1024 });
    expect(got.rejections.map((r) => r.reason)).toEqual(['too_large']);
  });

  it('rejects inputs larger than maxInputBytes', () => {
    const got = decodeAll(Buffer.from(JSON.stringify(getSecretValue())), 'big', { maxInputBytes: 100 });
    expect(got.rejections.map((r) => r.reason)).toEqual(['too_large']);
  });

  it('decodes base64 text of gzip JSON', () => {
    const text = gzipSync(JSON.stringify(getSecretValue())).toString('base64');
    const got = decodeAll(text);
    expect(got.events).toHaveLength(1);
    expect(got.events[0]?.raw.format.startsWith('base64>gzip>')).toBe(true);
  });

  it('rejects base64 that decodes to neither gzip nor JSON', () => {
    const got = decodeAll(Buffer.from('hello world, not json').toString('base64'));
    expect(got.rejections.map((r) => r.reason)).toEqual(['invalid_base64']);
  });

  it('rejects text that is no supported encoding', () => {
    expect(decodeAll('just some words').rejections.map((r) => r.reason)).toEqual(['invalid_json']);
  });

  it('rejects invalid UTF-8', () => {
    expect(decodeAll(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).rejections.map((r) => r.reason)).toEqual(['invalid_encoding']);
  });

  it('bounds envelope nesting', () => {
    let value: unknown = getSecretValue();
    for (let i = 0; i < 40; i++) value = [value];
    const got = decodeAll(value);
    expect(got.events).toEqual([]);
    expect(got.rejections.map((r) => r.reason)).toEqual(['too_deep']);
  });

  it('survives JSON nested far deeper than any record', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const got = decodeAll(deep);
    expect(got.rejections.length).toBe(1);
    expect(['too_deep', 'invalid_json']).toContain(got.rejections[0]?.reason);
  });

  it('rejects objects and primitives that are no audit record', () => {
    const got = decodeAll([{ hello: 'world' }, 42, null, true]);
    expect(got.rejections.map((r) => r.reason)).toEqual(['unknown_format', 'unknown_format', 'unknown_format', 'unknown_format']);
    expect(got.rejections[0]?.detail).toContain('"hello"');
  });

  it('does not let __proto__ keys pollute prototypes', () => {
    const text = `{"__proto__": {"polluted": true}, "Records": [${JSON.stringify(getSecretValue())}]}`;
    const got = decodeAll(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(got.events).toHaveLength(1);
  });

  it('rejects the truncated inner messages of the CloudWatch Logs documentation sample', () => {
    const got = decodeAll(readFileSync(join(corpus, 'awsdocs-cloudwatch-logs__SubscriptionFilters__kinesis-decoded-DATA_MESSAGE-CloudTrail.json')));
    expect(got.events).toEqual([]);
    expect(got.rejections.map((r) => r.reason)).toEqual(['invalid_json', 'invalid_json', 'invalid_json']);
  });

  it('turns a format that throws into one rejected record', () => {
    const rejections: Rejection[] = [];
    const broken: RecordFormat = {
      name: 'broken',
      matches: (v) => 'boom' in v,
      decode: () => {
        throw new Error('bug');
      },
    };
    const decoder = new Decoder([broken], { event: () => undefined, rejection: (r) => rejections.push(r), unrelated: () => undefined });
    decoder.decodeValue([{ boom: 1 }, { boom: 2 }], new InputCursor('t'));
    expect(rejections.map((r) => [r.reason, r.detail, r.index])).toEqual([
      ['malformed_record', 'broken: bug', 0],
      ['malformed_record', 'broken: bug', 1],
    ]);
  });

  it('ignores blank input', () => {
    const got = decodeAll('  \n\n ');
    expect(got).toMatchObject({ events: [], rejections: [], records: 0 });
  });
});
