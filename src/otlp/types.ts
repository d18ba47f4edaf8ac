/**
 * The OTLP logs request as plain typed objects, the same whatever the wire encoding
 * (protobuf or OTLP/JSON). Field names follow the OTLP/JSON spelling (lowerCamelCase).
 *
 * Absent scalar fields take their protobuf defaults (0, 0n, '') so that both encodings give equal
 * objects; only `body` distinguishes "absent" (undefined) from a value.
 */

export type OtlpEncoding = 'protobuf' | 'json';

/** One OTLP `AnyValue`, tagged by kind so that `switch (v.kind)` is exhaustive. */
export type AnyValue =
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  /** int64: a bigint so that values past 2^53 keep every digit. */
  | { kind: 'int'; value: bigint }
  | { kind: 'double'; value: number }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'array'; values: AnyValue[] }
  /** Keys in wire order; duplicates kept as sent (`anyValueToJs` keeps the last). */
  | { kind: 'kvlist'; values: KeyValue[] }
  /** An AnyValue with no field set: the OTLP "empty" value (JSON null). */
  | { kind: 'empty' };

export interface KeyValue {
  key: string;
  value: AnyValue;
}

/**
 * Attributes by key. The object has no prototype (`Object.create(null)`), so a key such as
 * `__proto__` or `constructor` is an ordinary own entry. On duplicate keys the last one wins.
 */
export type Attributes = Record<string, AnyValue>;

export interface Resource {
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: Attributes;
  droppedAttributesCount: number;
}

export interface LogRecord {
  /** Event time in ns since the epoch; 0n when unknown. */
  timeUnixNano: bigint;
  /** When the collection system saw the record, ns since the epoch; 0n when unknown. */
  observedTimeUnixNano: bigint;
  /** `SeverityNumber` enum value, 0 (unspecified) to 24. */
  severityNumber: number;
  severityText: string;
  /** Undefined when the record has no body or an empty AnyValue. */
  body: AnyValue | undefined;
  attributes: Attributes;
  droppedAttributesCount: number;
  flags: number;
  /** Lower-case hex, '' when absent (16 bytes when present). */
  traceId: string;
  /** Lower-case hex, '' when absent (8 bytes when present). */
  spanId: string;
  eventName: string;
}

export interface ScopeLogs {
  scope: InstrumentationScope | undefined;
  logRecords: LogRecord[];
  schemaUrl: string;
}

export interface ResourceLogs {
  resource: Resource | undefined;
  scopeLogs: ScopeLogs[];
  schemaUrl: string;
}

/** `opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest`. */
export interface ExportLogsRequest {
  resourceLogs: ResourceLogs[];
}

/** `ExportLogsPartialSuccess`: what the server did not accept, and why. */
export interface ExportLogsPartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}
