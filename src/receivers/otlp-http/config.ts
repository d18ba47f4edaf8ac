import { DEFAULT_MAX_BYTES_IN_FLIGHT } from '../intake.js';
import { DEFAULT_OTLP_HTTP_ENDPOINT } from '../../config/schema.js';
import { parseEndpoint } from '../endpoint.js';
import { optionalToken, positiveInteger, rejectUnknownKeys } from '../config-checks.js';

/** Configuration of the OTLP/HTTP logs receiver. Keys are the config file's (snake_case, unit in the name). */
export interface OtlpHttpReceiverConfig {
  /** `host:port` to listen on. Loopback by default: secretwatch is a sidecar. */
  endpoint: string;
  /** Largest request body as sent (compressed or not), bytes. Larger: 413. */
  max_request_bytes: number;
  /**
   * Most bytes one request may inflate to: the body after gunzip plus every gzip log body inside
   * it, at any nesting. More (gzip bombs): 413.
   */
  max_decompressed_bytes: number;
  /** Log records accepted and not yet consumed, across requests. More: 429 with Retry-After. */
  max_records_in_flight: number;
  /** Bytes buffered and decoded across requests (see Intake). More: 429 with Retry-After. */
  max_bytes_in_flight: number;
  /** `Retry-After` sent with 429 and 503, seconds. */
  retry_after_seconds: number;
  /** When set, requests must carry `Authorization: Bearer <token>`; otherwise 401. */
  bearer_token: string | undefined;
  /** How long stop() waits for requests in flight before closing their connections, ms. */
  shutdown_timeout_ms: number;
}

export const OTLP_HTTP_DEFAULTS: Readonly<OtlpHttpReceiverConfig> = Object.freeze({
  // Clear of the Collector's own 4317/4318, so both fit in one pod.
  endpoint: DEFAULT_OTLP_HTTP_ENDPOINT,
  max_request_bytes: 16 * 1024 * 1024,
  max_decompressed_bytes: 64 * 1024 * 1024,
  max_records_in_flight: 50_000,
  max_bytes_in_flight: DEFAULT_MAX_BYTES_IN_FLIGHT,
  retry_after_seconds: 1,
  bearer_token: undefined,
  shutdown_timeout_ms: 10_000,
});

/** Defaults applied, every key checked; throws SW_CONFIG_INVALID naming `<prefix>.<key>`. */
export function resolveOtlpHttpConfig(input: Partial<OtlpHttpReceiverConfig> = {}, prefix = 'receivers.otlp_http'): OtlpHttpReceiverConfig {
  rejectUnknownKeys(input, Object.keys(OTLP_HTTP_DEFAULTS), prefix);
  const c = { ...OTLP_HTTP_DEFAULTS, ...input };
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
