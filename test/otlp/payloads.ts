import { otlpLogsTypes } from '../../src/otlp/proto-root.js';

/** Test payloads for the OTLP codec and receivers, built from our own .proto files. */

export type JsonAnyValue = Record<string, unknown>;

/** One OTLP/JSON-shaped request (lowerCamelCase, int64 as strings) with the given log records. */
export function jsonRequest(logRecords: Record<string, unknown>[], resourceAttributes: Record<string, string> = { 'service.name': 'collector' }): Record<string, unknown> {
  return {
    resourceLogs: [
      {
        resource: { attributes: Object.entries(resourceAttributes).map(([key, v]) => ({ key, value: { stringValue: v } })) },
        scopeLogs: [{ scope: { name: 'test', version: '1' }, logRecords }],
      },
    ],
  };
}

/** The same request as protobuf bytes (protobufjs `fromObject` reads the JSON shape, ids excepted). */
export function protobufRequest(request: Record<string, unknown>): Uint8Array {
  const { request: type } = otlpLogsTypes();
  return type.encode(type.fromObject(request)).finish();
}

/** A string body record. */
export function stringRecord(body: string, timeUnixNano = '1722429412000000000'): Record<string, unknown> {
  return { timeUnixNano, severityNumber: 9, body: { stringValue: body } };
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/**
 * A protobuf ExportLogsServiceRequest with one log record whose body is a kvlist nested `levels`
 * deep (`{"a":{"a":...}}`), written without recursion: sizes inside out, bytes outside in.
 */
export function deeplyNestedProtobuf(levels: number): Uint8Array {
  // Sizes of AnyValue at each level, innermost (stringValue "x") first.
  const anySize: number[] = [3];
  const kvSize: number[] = [0];
  const kvlSize: number[] = [0];
  for (let l = 1; l <= levels; l++) {
    const inner = anySize[l - 1] as number;
    const kv = 3 + 1 + varintLength(inner) + inner; // key "a" + value
    const kvl = 1 + varintLength(kv) + kv;
    kvSize.push(kv);
    kvlSize.push(kvl);
    anySize.push(1 + varintLength(kvl) + kvl);
  }
  const body = anySize[levels] as number;
  const record = 1 + varintLength(body) + body; // LogRecord { body = 5 }
  const scopeLogs = 1 + varintLength(record) + record; // ScopeLogs { log_records = 2 }
  const resourceLogs = 1 + varintLength(scopeLogs) + scopeLogs; // ResourceLogs { scope_logs = 2 }
  const total = 1 + varintLength(resourceLogs) + resourceLogs; // Request { resource_logs = 1 }
  const buf = new Uint8Array(total);
  let pos = 0;
  buf[pos++] = 0x0a;
  pos = writeVarint(buf, pos, resourceLogs);
  buf[pos++] = 0x12;
  pos = writeVarint(buf, pos, scopeLogs);
  buf[pos++] = 0x12;
  pos = writeVarint(buf, pos, record);
  buf[pos++] = 0x2a;
  pos = writeVarint(buf, pos, body);
  for (let l = levels; l >= 1; l--) {
    buf[pos++] = 0x32; // AnyValue.kvlist_value = 6
    pos = writeVarint(buf, pos, kvlSize[l] as number);
    buf[pos++] = 0x0a; // KeyValueList.values = 1
    pos = writeVarint(buf, pos, kvSize[l] as number);
    buf[pos++] = 0x0a; // KeyValue.key = 1
    buf[pos++] = 1;
    buf[pos++] = 0x61;
    buf[pos++] = 0x12; // KeyValue.value = 2
    pos = writeVarint(buf, pos, anySize[l - 1] as number);
  }
  buf[pos++] = 0x0a; // AnyValue.string_value = 1
  buf[pos++] = 1;
  buf[pos++] = 0x78;
  if (pos !== total) throw new Error(`deeplyNestedProtobuf wrote ${pos} of ${total} bytes`);
  return buf;
}

/** The same nesting as OTLP/JSON text, built as a string (no recursion). */
export function deeplyNestedJson(levels: number): string {
  const open = '{"kvlistValue":{"values":[{"key":"a","value":';
  const close = '}]}}';
  return `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${open.repeat(levels)}{"stringValue":"x"}${close.repeat(levels)}}]}]}]}`;
}
