/**
 * google.rpc.Code: the canonical names of the numeric `status.code` in an AuditLog.
 * Index = code. Detectors and analysts key on the name (`PERMISSION_DENIED`), not the number.
 */
const GRPC_CODE_NAMES: readonly string[] = [
  'OK', // 0
  'CANCELLED', // 1
  'UNKNOWN', // 2
  'INVALID_ARGUMENT', // 3
  'DEADLINE_EXCEEDED', // 4
  'NOT_FOUND', // 5
  'ALREADY_EXISTS', // 6
  'PERMISSION_DENIED', // 7
  'RESOURCE_EXHAUSTED', // 8
  'FAILED_PRECONDITION', // 9
  'ABORTED', // 10
  'OUT_OF_RANGE', // 11
  'UNIMPLEMENTED', // 12
  'INTERNAL', // 13
  'UNAVAILABLE', // 14
  'DATA_LOSS', // 15
  'UNAUTHENTICATED', // 16
];

/**
 * The error code name for a `status.code`, or undefined when the call succeeded.
 *
 * proto3 JSON omits a zero code, so an absent code (`status: {}`) is OK. Some exporters write the
 * number as a string, or write the name itself; both are accepted. An unknown number is kept as
 * its decimal string rather than dropped, so the failure is still counted.
 */
export function grpcErrorCode(code: unknown): string | undefined {
  if (typeof code === 'string') {
    if (code === '' || code === 'OK') return undefined;
    const n = Number(code);
    return Number.isInteger(n) ? grpcErrorCode(n) : code;
  }
  if (typeof code !== 'number' || !Number.isInteger(code) || code === 0) return undefined;
  return GRPC_CODE_NAMES[code] ?? String(code);
}
