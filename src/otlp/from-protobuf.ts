import { SecretwatchError } from '../errors/codes.js';
import { MAX_ANY_VALUE_DEPTH } from './limits.js';
import { otlpLogsTypes } from './proto-root.js';
import type { AnyValue, Attributes, ExportLogsRequest, InstrumentationScope, KeyValue, LogRecord, Resource, ResourceLogs, ScopeLogs } from './types.js';

/**
 * Protobuf wire bytes to the typed request, through protobufjs messages decoded from our .proto files.
 * Absent message fields read as the prototype defaults protobufjs gives (null, '', 0, []).
 */

interface PbLong {
  low: number;
  high: number;
}
type PbInt64 = PbLong | number | null | undefined;

interface PbAnyValue {
  /** The oneof's virtual getter: the name of the member set on the wire, if any. */
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: PbInt64;
  doubleValue?: number;
  bytesValue?: Uint8Array;
  arrayValue?: { values?: PbAnyValue[] } | null;
  kvlistValue?: { values?: PbKeyValue[] } | null;
}
interface PbKeyValue {
  key?: string;
  value?: PbAnyValue | null;
}
interface PbResource {
  attributes?: PbKeyValue[];
  droppedAttributesCount?: number;
}
interface PbScope extends PbResource {
  name?: string;
  version?: string;
}
interface PbLogRecord {
  timeUnixNano?: PbInt64;
  observedTimeUnixNano?: PbInt64;
  severityNumber?: number;
  severityText?: string;
  body?: PbAnyValue | null;
  attributes?: PbKeyValue[];
  droppedAttributesCount?: number;
  flags?: number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  eventName?: string;
}
interface PbScopeLogs {
  scope?: PbScope | null;
  logRecords?: PbLogRecord[];
  schemaUrl?: string;
}
interface PbResourceLogs {
  resource?: PbResource | null;
  scopeLogs?: PbScopeLogs[];
  schemaUrl?: string;
}
interface PbRequest {
  resourceLogs?: PbResourceLogs[];
}

function malformed(message: string, cause?: unknown): SecretwatchError {
  return new SecretwatchError('SW_OTLP_MALFORMED', message, cause === undefined ? undefined : { cause });
}

function toBigInt(v: PbInt64, signed: boolean): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  const unsigned = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return signed ? BigInt.asIntN(64, unsigned) : unsigned;
}

function hex(bytes: Uint8Array | undefined): string {
  if (bytes === undefined || bytes.length === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Thrown inside the conversion and given its location by `convert`, so no path is built per value. */
class TooDeep extends Error {}

function anyValue(v: PbAnyValue | null | undefined, depth: number): AnyValue {
  if (v === null || v === undefined) return { kind: 'empty' };
  if (depth > MAX_ANY_VALUE_DEPTH) throw new TooDeep();
  switch (v.value) {
    case 'stringValue':
      return { kind: 'string', value: v.stringValue ?? '' };
    case 'boolValue':
      return { kind: 'bool', value: v.boolValue === true };
    case 'intValue':
      return { kind: 'int', value: toBigInt(v.intValue, true) };
    case 'doubleValue':
      return { kind: 'double', value: v.doubleValue ?? 0 };
    case 'bytesValue':
      return { kind: 'bytes', value: v.bytesValue ?? new Uint8Array(0) };
    case 'arrayValue': {
      const items = v.arrayValue?.values ?? [];
      const values: AnyValue[] = new Array<AnyValue>(items.length);
      for (let i = 0; i < items.length; i++) values[i] = anyValue(items[i], depth + 1);
      return { kind: 'array', values };
    }
    case 'kvlistValue':
      return { kind: 'kvlist', values: keyValues(v.kvlistValue?.values, depth + 1) };
    default:
      return { kind: 'empty' };
  }
}

function keyValues(items: PbKeyValue[] | undefined, depth: number): KeyValue[] {
  if (items === undefined) return [];
  const out: KeyValue[] = new Array<KeyValue>(items.length);
  for (let i = 0; i < items.length; i++) {
    const kv = items[i];
    out[i] = { key: kv?.key ?? '', value: anyValue(kv?.value, depth) };
  }
  return out;
}

function attributes(items: PbKeyValue[] | undefined): Attributes {
  const out = Object.create(null) as Attributes;
  if (items === undefined) return out;
  for (const kv of items) out[kv.key ?? ''] = anyValue(kv.value, 1);
  return out;
}

function resource(r: PbResource | null | undefined): Resource | undefined {
  if (r === null || r === undefined) return undefined;
  return { attributes: attributes(r.attributes), droppedAttributesCount: r.droppedAttributesCount ?? 0 };
}

function scope(s: PbScope | null | undefined): InstrumentationScope | undefined {
  if (s === null || s === undefined) return undefined;
  return {
    name: s.name ?? '',
    version: s.version ?? '',
    attributes: attributes(s.attributes),
    droppedAttributesCount: s.droppedAttributesCount ?? 0,
  };
}

function logRecord(r: PbLogRecord): LogRecord {
  const body = r.body === null || r.body === undefined ? undefined : anyValue(r.body, 1);
  return {
    timeUnixNano: toBigInt(r.timeUnixNano, false),
    observedTimeUnixNano: toBigInt(r.observedTimeUnixNano, false),
    severityNumber: r.severityNumber ?? 0,
    severityText: r.severityText ?? '',
    body: body?.kind === 'empty' ? undefined : body,
    attributes: attributes(r.attributes),
    droppedAttributesCount: r.droppedAttributesCount ?? 0,
    flags: r.flags ?? 0,
    traceId: hex(r.traceId),
    spanId: hex(r.spanId),
    eventName: r.eventName ?? '',
  };
}

function convert(req: PbRequest): ExportLogsRequest {
  const resourceLogs: ResourceLogs[] = [];
  // Where the conversion is, kept as numbers so that a path string is built only for an error.
  let i = 0;
  let j = -1;
  let k = -1;
  try {
    for (const rl of req.resourceLogs ?? []) {
      j = -1;
      const scopeLogs: ScopeLogs[] = [];
      resourceLogs.push({ resource: resource(rl.resource), scopeLogs, schemaUrl: rl.schemaUrl ?? '' });
      for (const sl of rl.scopeLogs ?? []) {
        j++;
        k = -1;
        const s = scope(sl.scope);
        const records = sl.logRecords ?? [];
        const logRecords: LogRecord[] = new Array<LogRecord>(records.length);
        for (k = 0; k < records.length; k++) logRecords[k] = logRecord(records[k] as PbLogRecord);
        scopeLogs.push({ scope: s, logRecords, schemaUrl: sl.schemaUrl ?? '' });
      }
      i++;
    }
  } catch (err) {
    if (!(err instanceof TooDeep)) throw err;
    const where =
      j < 0 ? `resourceLogs[${i}].resource` : k < 0 ? `resourceLogs[${i}].scopeLogs[${j}].scope` : `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}]`;
    throw malformed(`${where}: AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  return { resourceLogs };
}

/** Decodes an `ExportLogsServiceRequest` from protobuf; throws SW_OTLP_MALFORMED. */
export function requestFromProtobuf(bytes: Uint8Array): ExportLogsRequest {
  // A Buffer view (no copy) makes protobufjs use its faster Buffer reader for strings.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let message: PbRequest;
  try {
    message = otlpLogsTypes().request.decode(buffer) as PbRequest;
  } catch (err) {
    const reason = (err as Error).message;
    const detail = /nesting depth/.test(reason)
      ? `messages nested too deep (log bodies may nest at most ${MAX_ANY_VALUE_DEPTH} AnyValue levels)`
      : reason;
    throw malformed(`body is not a protobuf ExportLogsServiceRequest: ${detail}`, err);
  }
  return convert(message);
}
