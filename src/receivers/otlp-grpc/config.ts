import { DEFAULT_MAX_BYTES_IN_FLIGHT } from '../intake.js';
import { DEFAULT_OTLP_GRPC_ENDPOINT } from '../../config/schema.js';
import { parseEndpoint } from '../endpoint.js';
import { optionalToken, positiveInteger, rejectUnknownKeys } from '../config-checks.js';

/** Configuration of the OTLP/gRPC logs receiver. Keys are the config file's (snake_case, unit in the name). */
export interface OtlpGrpcReceiverConfig {
  /** `host:port` to listen on, plaintext (no TLS). Loopback by default: secretwatch is a sidecar. */
  endpoint: string;
  /**
   * Largest request message, bytes, after decompression (grpc `max_receive_message_length`).
   * Larger: RESOURCE_EXHAUSTED from grpc-js itself, without RetryInfo, so senders do not retry.
   */
  max_request_bytes: number;
  /** Most bytes all the log bodies of one request may inflate to, nesting included. More: INVALID_ARGUMENT. */
  max_decompressed_bytes: number;
  /** Log records accepted and not yet consumed, across requests. More: RESOURCE_EXHAUSTED with RetryInfo. */
  max_records_in_flight: number;
  /** Bytes buffered and decoded across requests (see Intake). More: RESOURCE_EXHAUSTED with RetryInfo. */
  max_bytes_in_flight: number;
  /** Retry delay sent in RetryInfo with RESOURCE_EXHAUSTED and UNAVAILABLE, seconds. */
  retry_after_seconds: number;
  /** When set, calls must carry `authorization: Bearer <token>` metadata; otherwise UNAUTHENTICATED. */
  bearer_token: string | undefined;
  /** How long stop() waits for calls in flight before cancelling them, ms. */
  shutdown_timeout_ms: number;
}

export const OTLP_GRPC_DEFAULTS: Readonly<OtlpGrpcReceiverConfig> = Object.freeze({
  // Clear of the Collector's own 4317/4318, so both fit in one pod.
  endpoint: DEFAULT_OTLP_GRPC_ENDPOINT,
  max_request_bytes: 16 * 1024 * 1024,
  max_decompressed_bytes: 64 * 1024 * 1024,
  max_records_in_flight: 50_000,
  max_bytes_in_flight: DEFAULT_MAX_BYTES_IN_FLIGHT,
  retry_after_seconds: 1,
  bearer_token: undefined,
  shutdown_timeout_ms: 10_000,
});

/** Defaults applied, every key checked; throws SW_CONFIG_INVALID naming `<prefix>.<key>`. */
export function resolveOtlpGrpcConfig(input: Partial<OtlpGrpcReceiverConfig> = {}, prefix = 'receivers.otlp_grpc'): OtlpGrpcReceiverConfig {
  rejectUnknownKeys(input, Object.keys(OTLP_GRPC_DEFAULTS), prefix);
  const c = { ...OTLP_GRPC_DEFAULTS, ...input };
  parseEndpoint(c.endpoint, `${prefix}.endpoint`);
  return {
    endpoint: c.endpoint,
    max_request_bytes: positiveInteger(c.max_request_bytes, `${prefix}.max_request_bytes`),
    max_decompressed_bytes: positiveInteger(c.max_decompressed_bytes, `${prefix}.max_decompressed_bytes`),
    max_records_in_flight: positiveInteger(c.max_records_in_flight, `${prefix}.max_records_in_flight`),
    max_bytes_in_flight: positiveInteger(c.max_bytes_in_flight, `${prefix}.max_bytes_in_flight`),
    retry_after_seconds: positiveInteger(c.retry_after_seconds, `${prefix}.retry_after_seconds`),
    bearer_token: optionalToken(c.bearer_token, `${prefix}.bearer_token`),
    shutdown_timeout_ms: positiveInteger(c.shutdown_timeout_ms, `${prefix}.shutdown_timeout_ms`),
  };
}
