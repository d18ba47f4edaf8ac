import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, fixtureInputFiles } from '../support/fixture-files.js';
import { prng } from '../../bench/measure.js';
import { cloudTrailLines, cloudWatchPayloads } from '../../bench/normalize.bench.js';
import type { FormatResult, RecordFormat } from '../../normalizers/format.js';
import { cloudTrailRecordFormat } from '../../normalizers/aws/cloudtrail-record.js';
import { screenRawCloudTrailRecord } from '../../normalizers/aws/raw-record-screen.js';
import { allFormats } from '../../normalizers/index.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { UNLIMITED_BUDGET } from '../../src/decode/budget.js';
import { runSync } from '../../src/decode/inflate.js';
import { InputCursor } from '../../src/decode/cursor.js';
import { Decoder } from '../../src/decode/decoder.js';
import type { Rejection } from '../../src/decode/rejection.js';

interface Output {
  events: SecretAccessEvent[];
  unrelated: [format: string, reason: string][];
  rejections: Rejection[];
  records: number;
}

function run(formats: readonly RecordFormat[], feed: (decoder: Decoder, cursor: InputCursor) => void): Output {
  const out: Output = { events: [], unrelated: [], rejections: [], records: 0 };
  const decoder = new Decoder(formats, {
    event: (e) => out.events.push(e),
    rejection: (r) => out.rejections.push(r),
    unrelated: (format, reason) => out.unrelated.push([format, reason]),
  });
  const cursor = new InputCursor('test');
  feed(decoder, cursor);
  out.records = cursor.nextIndex;
  return out;
}

describe('Decoder: pre-parse screens', () => {
  let decoded = 0;
  const asked: string[] = [];
  const fake: RecordFormat = {
    name: 'fake',
    matches: (v) => 'fake' in v,
    decode: (): FormatResult => {
      decoded++;
      return { kind: 'unrelated', reason: 'parsed' };
    },
    // Counts one-line texts that say "screen"; refuses everything else.
    screenUnrelated: (text) => {
      asked.push(text);
      return text.includes('"screen"') && !text.includes('\n') ? { kind: 'unrelated', reason: 'screened' } : undefined;
    },
  };
  const reset = (): void => {
    decoded = 0;
    asked.length = 0;
  };

  it('counts a screened record as unrelated under the same format chain, without parsing it', () => {
    reset();
    const got = run([fake], (d, c) => runSync(d.textWork('{"fake":1,"screen":1', c, UNLIMITED_BUDGET, 'gzip>cloudwatch-logs')));
    expect(got.unrelated).toEqual([['gzip>cloudwatch-logs>fake', 'screened']]);
    expect(got.records).toBe(1);
    expect(got.rejections).toEqual([]); // not even valid JSON: the screen's word is taken
    expect(decoded).toBe(0);
  });

  it('parses what the screen refuses, as before', () => {
    reset();
    const got = run([fake], (d, c) => d.decodeText('{"fake":1}', c));
    expect(asked).toEqual(['{"fake":1}']);
    expect(got.unrelated).toEqual([['fake', 'parsed']]);
    expect(decoded).toBe(1);
  });

  it('screens JSON lines one by one, keeping the record order and indexes', () => {
    reset();
    const text = '{"fake":1,"screen":1}\n{"fake":2}\n\n  {"fake":3,"screen":1}\r\n[1]\n{"bad"';
    const got = run([fake], (d, c) => d.decodeText(text, c));
    expect(got.unrelated).toEqual([
      ['fake', 'screened'],
      ['fake', 'parsed'],
      ['fake', 'screened'],
    ]);
    expect(got.rejections.map((r) => [r.reason, r.index])).toEqual([
      ['unknown_format', 3],
      ['invalid_json', 4],
    ]);
    expect(got.records).toBe(5);
    // The whole text first (refused: it holds several values), then each line that starts with `{`.
    expect(asked).toEqual([text, '{"fake":1,"screen":1}', '{"fake":2}', '  {"fake":3,"screen":1}\r', '{"bad"']);
  });

  it('asks only about JSON object text', () => {
    reset();
    run([fake], (d, c) => {
      d.decodeText('[{"fake":1,"screen":1}]', c);
      d.decodeValue({ fake: 1, screen: 1 }, c);
      d.decodeText(Buffer.from('{"fake":1,"screen":1}').toString('base64'), c);
    });
    expect(asked).toEqual(['{"fake":1,"screen":1}']); // from the base64, once decoded
  });

  it('asks the screens in format order and takes the first answer', () => {
    reset();
    const never: RecordFormat = { ...fake, name: 'never', screenUnrelated: () => undefined };
    const got = run([never, fake], (d, c) => d.decodeText('{"fake":1,"screen":1}', c));
    expect(got.unrelated).toEqual([['fake', 'screened']]);
  });

  it('parses the text as usual when a screen throws', () => {
    reset();
    const broken: RecordFormat = {
      ...fake,
      screenUnrelated: () => {
        throw new Error('bug');
      },
    };
    const got = run([broken], (d, c) => d.decodeText('{"fake":1,"screen":1}', c));
    expect(got.unrelated).toEqual([['fake', 'parsed']]);
    expect(got.rejections).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Equivalence: with and without the screens, the decoder reports exactly the same things.

const withoutScreens: RecordFormat[] = allFormats.map(({ screenUnrelated: _screen, ...format }) => format);

function expectSameAsWithoutScreens(feed: (decoder: Decoder, cursor: InputCursor) => void, label: string): void {
  expect(run(allFormats, feed), label).toEqual(run(withoutScreens, feed));
}

const fixtures = FIXTURES_DIR;

/** Every CloudTrail record in a fixture: top-level, in `Records`, in CloudWatch Logs messages, in `awslogs.data`. */
function cloudTrailRecords(path: string): Record<string, unknown>[] {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8');
  const found: Record<string, unknown>[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value === 'string') {
      const parsed = parseJson(value) ?? parseBase64Gzip(value);
      if (parsed !== undefined) visit(parsed);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (cloudTrailRecordFormat.matches(record)) found.push(record);
    Object.values(record).forEach(visit);
  };
  const whole = parseJson(text);
  if (whole !== undefined) visit(whole);
  else for (const line of text.split('\n')) visit(parseJson(line));
  return found;
}

function parseJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function parseBase64Gzip(text: string): unknown {
  if (!text.startsWith('H4sI')) return undefined;
  try {
    return parseJson(gunzipSync(Buffer.from(text, 'base64')).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** `eventVersion` first, as CloudTrail writes it (records of exports may have it elsewhere). */
function rawShape(record: Record<string, unknown>): Record<string, unknown> {
  return 'eventVersion' in record ? { eventVersion: record['eventVersion'], ...record } : record;
}

const WEIRD: unknown[] = [null, 0, '', 'x', [], {}, true, 'secretsmanager.amazonaws.com', 'a"b', '{}', 'ssm'];

/** Structural mutations of a parsed record (kept valid JSON): dropped keys, odd values. */
function mutate(value: unknown, rand: () => number, depth = 0): unknown {
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => mutate(v, rand, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rand();
      if (r < 0.05) continue;
      out[k] = r < 0.12 ? WEIRD[Math.floor(rand() * WEIRD.length)] : mutate(v, rand, depth + 1);
    }
    if (rand() < 0.05) out['eventSource'] = WEIRD[Math.floor(rand() * WEIRD.length)];
    return out;
  }
  return value;
}

/** The texts a record gives: as written, in the raw CloudTrail shape, as another service, mutated, truncated. */
function textsOf(record: Record<string, unknown>, rand: () => number): string[] {
  const raw = rawShape(record);
  const other = rawShape({ ...record, eventSource: 'ec2.amazonaws.com' });
  const texts = [JSON.stringify(record), JSON.stringify(raw), JSON.stringify(other)];
  for (let i = 0; i < 2; i++) texts.push(JSON.stringify(mutate(other, rand)));
  // Truncations that still end with `}` (the hard case), a few per record.
  const screenable = JSON.stringify(other);
  for (let i = screenable.indexOf('}'); i !== -1 && i < screenable.length - 1; i = screenable.indexOf('}', i + 1)) {
    if (rand() < 0.3) texts.push(screenable.slice(0, i + 1));
  }
  return texts;
}

describe('Decoder: the CloudTrail screen changes nothing but the cost', () => {
  const inputs = ['golden/aws', 'corpus', 'demo'].flatMap((dir) => fixtureInputFiles(join(fixtures, dir)));

  it('gives the same events, unrelated reasons and rejections for every CloudTrail record in fixtures/', () => {
    const rand = prng(17);
    let records = 0;
    let texts = 0;
    let screened = 0;
    for (const path of inputs) {
      const label = relative(fixtures, path);
      const all: string[] = [];
      for (const record of cloudTrailRecords(path)) {
        records++;
        for (const text of textsOf(record, rand)) {
          texts++;
          if (screenRawCloudTrailRecord(text) !== undefined) screened++;
          expectSameAsWithoutScreens((d, c) => d.decodeText(text, c), `${label}: ${text.slice(0, 200)}`);
          all.push(text);
        }
      }
      if (all.length === 0) continue;
      // The same texts as JSON lines, and as the messages of a CloudWatch Logs payload.
      expectSameAsWithoutScreens((d, c) => d.decodeText(all.join('\n'), c), `${label} as JSON lines`);
      const payload = gzipSync(
        JSON.stringify({ messageType: 'DATA_MESSAGE', logGroup: 'g', logEvents: all.map((message, id) => ({ id: String(id), timestamp: 0, message })) }),
      );
      expectSameAsWithoutScreens((d, c) => d.decodeBytes(payload, c), `${label} as CloudWatch Logs`);
      // And the fixture file itself.
      expectSameAsWithoutScreens((d, c) => d.decodeBytes(readFileSync(path), c), label);
    }
    expect(records).toBeGreaterThan(1000);
    // The screen was really exercised: many texts were counted without parsing, most were not.
    expect(screened).toBeGreaterThan(1000);
    expect(screened).toBeLessThan(texts / 2);
  });

  it('gives the same results for the records of the normalize benchmark', () => {
    const lines = cloudTrailLines(3000);
    const screened = lines.filter((l) => screenRawCloudTrailRecord(l) !== undefined).length;
    expect(screened).toBeGreaterThan(500); // the 25% of other services
    for (const line of lines) expectSameAsWithoutScreens((d, c) => d.decodeText(line, c), line);
    expectSameAsWithoutScreens((d, c) => d.decodeText(lines.join('\n'), c), 'JSON lines');
    expectSameAsWithoutScreens((d, c) => cloudWatchPayloads(lines).forEach((p) => d.decodeBytes(p, c)), 'CloudWatch Logs');
  });
});
