import { otlpLogsTypes } from './proto-root.js';
import { requestFromJson } from './from-json.js';
import { requestFromProtobuf } from './from-protobuf.js';
import type { ExportLogsPartialSuccess, ExportLogsRequest, OtlpEncoding } from './types.js';

/**
 * The OTLP logs export codec: request bytes in, response bytes out, for both OTLP encodings.
 * Receivers and test doubles use only this module; the parts live in `from-protobuf.ts`,
 * `from-json.ts`, `any-value.ts` and `types.ts`.
 */
export { anyValueToJs, attributesToJs } from './any-value.js';
export { MAX_ANY_VALUE_DEPTH } from './limits.js';
export type {
  AnyValue,
  Attributes,
  ExportLogsPartialSuccess,
  ExportLogsRequest,
  InstrumentationScope,
  KeyValue,
  LogRecord,
  OtlpEncoding,
  Resource,
  ResourceLogs,
  ScopeLogs,
} from './types.js';

/**
 * Decodes an `ExportLogsServiceRequest` body (already decompressed).
 * Throws a SecretwatchError `SW_OTLP_MALFORMED` whose message says what is wrong and where.
 */
export function decodeExportLogsRequest(bytes: Uint8Array, encoding: OtlpEncoding): ExportLogsRequest {
  return encoding === 'protobuf' ? requestFromProtobuf(bytes) : requestFromJson(bytes);
}

/**
 * Encodes an `ExportLogsServiceResponse`. A full success (undefined, or nothing rejected and no
 * message) leaves `partial_success` unset, as the OTLP specification requires.
 */
export function encodeExportLogsResponse(partialSuccess: ExportLogsPartialSuccess | undefined, encoding: OtlpEncoding): Uint8Array {
  const set = partialSuccess !== undefined && (partialSuccess.rejectedLogRecords > 0 || partialSuccess.errorMessage !== '');
  if (encoding === 'json') {
    const body = set
      ? { partialSuccess: { rejectedLogRecords: String(partialSuccess.rejectedLogRecords), errorMessage: partialSuccess.errorMessage } }
      : {};
    return Buffer.from(JSON.stringify(body), 'utf8');
  }
  const { response } = otlpLogsTypes();
  const message = set ? { partialSuccess: { rejectedLogRecords: partialSuccess.rejectedLogRecords, errorMessage: partialSuccess.errorMessage } } : {};
  return response.encode(response.fromObject(message)).finish();
}

/** Counts the log records in a request (what `rejected_log_records` is a part of). */
export function countLogRecords(request: ExportLogsRequest): number {
  let n = 0;
  for (const rl of request.resourceLogs) for (const sl of rl.scopeLogs) n += sl.logRecords.length;
  return n;
}
