/**
 * Sorting a failed export into "try again later" and "never": a backend that refuses the content
 * of a request (HTTP 4xx other than 408 and 429, or the gRPC codes of the same meaning) will refuse
 * it again however often it is sent, so retrying it at the head of the outbox would block every
 * alert behind it. Everything else (connection errors, timeouts, 408, 429, 5xx, UNAVAILABLE,
 * RESOURCE_EXHAUSTED from an overloaded server...) is transient and retried.
 */
export interface PermanentFailure {
  /** Stable and short, for the dead-letter line and the metric label: `http_400`, `grpc_invalid_argument`. */
  reason: string;
  /** What the backend said (status text and response body), at most DETAIL_MAX_CHARS. */
  detail: string;
}

const DETAIL_MAX_CHARS = 1024;

/** gRPC status codes that refuse the request itself (the OTLP specification's non-retryable codes less UNKNOWN and INTERNAL, which are the server's fault like HTTP 500). */
const GRPC_PERMANENT: Readonly<Record<number, string>> = {
  3: 'invalid_argument',
  5: 'not_found',
  6: 'already_exists',
  7: 'permission_denied',
  9: 'failed_precondition',
  12: 'unimplemented',
  16: 'unauthenticated',
};
const GRPC_RESOURCE_EXHAUSTED = 8;
/** gRPC servers say a request is too large with RESOURCE_EXHAUSTED and this text (grpc-js, grpc-go, grpc-java): the gRPC 413. */
const GRPC_TOO_LARGE = /message larger than max/i;

function clip(text: string): string {
  return text.length <= DETAIL_MAX_CHARS ? text : `${text.slice(0, DETAIL_MAX_CHARS)}...`;
}

function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status <= 499 && status !== 408 && status !== 429;
}

/**
 * The permanent failure `error` stands for, or undefined when it is transient. `grpc`: the error
 * came from the gRPC exporter (its `code` is a gRPC status); otherwise from an HTTP exporter, whose
 * OTLPExporterError carries the HTTP status in `code` and the response body in `data`.
 */
export function permanentFailure(error: unknown, grpc: boolean): PermanentFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, data, details } = error as { code?: unknown; message?: unknown; data?: unknown; details?: unknown };
  if (typeof code !== 'number') return undefined;
  const text = [message, data].filter((v) => typeof v === 'string' && v !== '').join(': ');
  if (!grpc) return isPermanentHttpStatus(code) ? { reason: `http_${code}`, detail: clip(text === '' ? `HTTP ${code}` : text) } : undefined;
  const said = typeof details === 'string' && details !== '' ? details : text;
  const name = GRPC_PERMANENT[code];
  if (name !== undefined) return { reason: `grpc_${name}`, detail: clip(said) };
  if (code === GRPC_RESOURCE_EXHAUSTED && GRPC_TOO_LARGE.test(said)) return { reason: 'grpc_resource_exhausted', detail: clip(said) };
  return undefined;
}
