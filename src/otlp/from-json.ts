import { SecretwatchError } from '../errors/codes.js';
import { MAX_ANY_VALUE_DEPTH } from './limits.js';
import type { AnyValue, Attributes, ExportLogsRequest, InstrumentationScope, KeyValue, LogRecord, Resource, ScopeLogs } from './types.js';

/**
 * OTLP/JSON bytes to the typed request, per the OTLP/JSON rules: lowerCamelCase keys, 64-bit
 * integers as decimal strings (numbers accepted), enums as integers (names accepted), trace and
 * span ids as hex, `bytesValue` as base64, unknown keys ignored, `null` read as absent.
 * A value of the wrong type is an error naming where it is, as protobuf JSON parsers do.
 */

type Json = Record<string, unknown>;

/** A problem inside one part of the request; `convert` prefixes where that part is. */
class Bad extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// At most 20 digits: every int64/uint64 fits, and BigInt never parses a megabyte of digits.
const DECIMAL = /^-?\d{1,20}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const SEVERITY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function object(v: unknown, field: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new Bad(`${field} must be an object`);
  return v;
}

function array(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Bad(`${field} must be an array`);
  return v;
}

function string(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Bad(`${field} must be a string`);
  return v;
}

function int64(v: unknown, field: string, min: bigint, max: bigint): bigint {
  if (v === undefined || v === null) return 0n;
  let n: bigint | undefined;
  if (typeof v === 'string' && DECIMAL.test(v)) n = BigInt(v);
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  if (n === undefined || n < min || n > max) throw new Bad(`${field} must be an integer from ${min} to ${max} (a decimal string or a number)`);
  return n;
}

function uint32(v: unknown, field: string): number {
  return Number(int64(v, field, 0n, 0xffffffffn));
}

function double(v: unknown, field: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new Bad(`${field} must be a number`);
}

function severity(v: unknown): number {
  if (typeof v === 'string' && v.startsWith('SEVERITY_NUMBER_')) {
    const m = /^SEVERITY_NUMBER_([A-Z]+)([234]?)$/.exec(v);
    const level = m === null ? -1 : SEVERITY_LEVELS.indexOf(m[1] ?? '');
    if (v === 'SEVERITY_NUMBER_UNSPECIFIED') return 0;
    if (m !== null && level >= 0) return level * 4 + Number(m[2] === '' ? 1 : m[2]);
  }
  return uint32(v, 'severityNumber');
}

function hexId(v: unknown, field: string): string {
  const s = string(v, field);
  if (!HEX.test(s)) throw new Bad(`${field} must be hex (OTLP/JSON writes ids as hex, not base64)`);
  return s.toLowerCase();
}

function bytes(v: unknown, field: string): Uint8Array {
  const s = string(v, field);
  if (!BASE64.test(s)) throw new Bad(`${field} must be base64`);
  return Buffer.from(s, 'base64');
}

const VALUE_KEYS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;

/** Adds the position of a nested value to a Bad raised inside it (paths are built only on error). */
function within(err: unknown, segment: string): unknown {
  if (err instanceof Bad) err.message = joinPath(segment, err.message);
  return err;
}

/** `a` + `.b`, `a[0]`, `a must...`, `a: ...`: messages about the value itself start with a space or colon. */
function joinPath(prefix: string, rest: string): string {
  if (prefix === '') return rest.trimStart();
  const c = rest.charAt(0);
  return c === '[' || c === ' ' || c === ':' ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

function anyValue(v: unknown, depth: number): AnyValue {
  if (v === undefined || v === null) return { kind: 'empty' };
  if (!isObject(v)) throw new Bad(' must be an AnyValue object');
  if (depth > MAX_ANY_VALUE_DEPTH) throw new Bad(`: AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const o = v;
  let set: (typeof VALUE_KEYS)[number] | undefined;
  for (const key of VALUE_KEYS) {
    if (o[key] === undefined || o[key] === null) continue;
    if (set !== undefined) throw new Bad(` sets both ${set} and ${key}; an AnyValue holds one value`);
    set = key;
  }
  switch (set) {
    case undefined:
      return { kind: 'empty' };
    case 'stringValue':
      return { kind: 'string', value: string(o.stringValue, 'stringValue') };
    case 'boolValue':
      if (typeof o.boolValue !== 'boolean') throw new Bad('boolValue must be true or false');
      return { kind: 'bool', value: o.boolValue };
    case 'intValue':
      return { kind: 'int', value: int64(o.intValue, 'intValue', INT64_MIN, INT64_MAX) };
    case 'doubleValue':
      return { kind: 'double', value: double(o.doubleValue, 'doubleValue') };
    case 'bytesValue':
      return { kind: 'bytes', value: bytes(o.bytesValue, 'bytesValue') };
    case 'arrayValue': {
      const items = array(object(o.arrayValue, 'arrayValue')?.values, 'arrayValue.values');
      const values = new Array<AnyValue>(items.length);
      for (let i = 0; i < items.length; i++) {
        try {
          values[i] = anyValue(items[i], depth + 1);
        } catch (err) {
          throw within(err, `arrayValue.values[${i}]`);
        }
      }
      return { kind: 'array', values };
    }
    case 'kvlistValue':
      try {
        return { kind: 'kvlist', values: keyValues(object(o.kvlistValue, 'kvlistValue')?.values, depth + 1) };
      } catch (err) {
        throw within(err, 'kvlistValue.values');
      }
  }
}

function keyValues(v: unknown, depth: number): KeyValue[] {
  const items = array(v, 'values');
  const out = new Array<KeyValue>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    let key: string;
    let value: AnyValue;
    try {
      if (!isObject(item)) throw new Bad(' must be a KeyValue object');
      key = string(item.key, 'key');
    } catch (err) {
      throw within(err, `[${i}]`);
    }
    try {
      value = anyValue(item.value, depth);
    } catch (err) {
      throw within(err, `[${i}].value`);
    }
    out[i] = { key, value };
  }
  return out;
}

function attributes(v: unknown, field: string): Attributes {
  const out = Object.create(null) as Attributes;
  let kvs: KeyValue[];
  try {
    kvs = keyValues(v, 1);
  } catch (err) {
    throw within(err, field);
  }
  for (const kv of kvs) out[kv.key] = kv.value;
  return out;
}

function resource(v: unknown): Resource | undefined {
  const o = object(v, 'resource');
  if (o === undefined) return undefined;
  return { attributes: attributes(o.attributes, 'attributes'), droppedAttributesCount: uint32(o.droppedAttributesCount, 'droppedAttributesCount') };
}

function scope(v: unknown): InstrumentationScope | undefined {
  const o = object(v, 'scope');
  if (o === undefined) return undefined;
  return {
    name: string(o.name, 'name'),
    version: string(o.version, 'version'),
    attributes: attributes(o.attributes, 'attributes'),
    droppedAttributesCount: uint32(o.droppedAttributesCount, 'droppedAttributesCount'),
  };
}

function logRecord(v: unknown): LogRecord {
  const o = object(v, '') ?? {};
  let body: AnyValue;
  try {
    body = anyValue(o.body, 1);
  } catch (err) {
    throw within(err, 'body');
  }
  return {
    timeUnixNano: int64(o.timeUnixNano, 'timeUnixNano', 0n, UINT64_MAX),
    observedTimeUnixNano: int64(o.observedTimeUnixNano, 'observedTimeUnixNano', 0n, UINT64_MAX),
    severityNumber: severity(o.severityNumber),
    severityText: string(o.severityText, 'severityText'),
    body: body.kind === 'empty' ? undefined : body,
    attributes: attributes(o.attributes, 'attributes'),
    droppedAttributesCount: uint32(o.droppedAttributesCount, 'droppedAttributesCount'),
    flags: uint32(o.flags, 'flags'),
    traceId: hexId(o.traceId, 'traceId'),
    spanId: hexId(o.spanId, 'spanId'),
    eventName: string(o.eventName, 'eventName'),
  };
}

/** Keeps a message readable when the path to a deeply nested value is long. */
function shorten(message: string): string {
  return message.length <= 300 ? message : `${message.slice(0, 150)}…${message.slice(-140)}`;
}

function convert(doc: unknown): ExportLogsRequest {
  let where = '';
  try {
    if (!isObject(doc)) throw new Bad('the request must be a JSON object');
    const root = doc;
    const resourceLogs = array(root.resourceLogs, 'resourceLogs').map((rlv, i) => {
      where = `resourceLogs[${i}]`;
      const rl = object(rlv, '') ?? {};
      const scopeLogs = array(rl.scopeLogs, 'scopeLogs').map((slv, j): ScopeLogs => {
        where = `resourceLogs[${i}].scopeLogs[${j}]`;
        const sl = object(slv, '') ?? {};
        const s = scope(sl.scope);
        const logRecords = array(sl.logRecords, 'logRecords').map((r, k) => {
          where = `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}]`;
          return logRecord(r);
        });
        where = `resourceLogs[${i}].scopeLogs[${j}]`;
        return { scope: s, logRecords, schemaUrl: string(sl.schemaUrl, 'schemaUrl') };
      });
      where = `resourceLogs[${i}]`;
      return { resource: resource(rl.resource), scopeLogs, schemaUrl: string(rl.schemaUrl, 'schemaUrl') };
    });
    return { resourceLogs };
  } catch (err) {
    if (err instanceof Bad) {
      throw new SecretwatchError('SW_OTLP_MALFORMED', `OTLP/JSON ${shorten(joinPath(where, err.message))}`);
    }
    throw err;
  }
}

/** Decodes an OTLP/JSON `ExportLogsServiceRequest`; throws SW_OTLP_MALFORMED. */
export function requestFromJson(bytes: Uint8Array): ExportLogsRequest {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (err) {
    throw new SecretwatchError('SW_OTLP_MALFORMED', 'OTLP/JSON body is not valid UTF-8', { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SecretwatchError('SW_OTLP_MALFORMED', `OTLP/JSON body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return convert(doc);
}
