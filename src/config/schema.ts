import { z } from 'zod';
import { parseDuration } from '../../detectors/ruleset/duration.js';

/**
 * Default listen addresses of `secretwatch run`: loopback, and clear of the Collector's own
 * 4317/4318 so both fit in one pod.
 */
export const DEFAULT_OTLP_GRPC_ENDPOINT = '127.0.0.1:14317';
export const DEFAULT_OTLP_HTTP_ENDPOINT = '127.0.0.1:14318';
export const DEFAULT_HTTP_ENDPOINT = '127.0.0.1:14320';
export const DEFAULT_STATE_DIR = '.secretwatch';

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration with a unit, such as 500ms, 30s, 10m, 2h or 30d',
});

/**
 * The configuration file (YAML). Every section is optional; every key has a named default here.
 * Unknown keys are errors. Documented key by key in README "Configuration".
 */
export const configSchema = z.strictObject({
  detection: z
    .strictObject({
      /** Events later than this behind the newest event time are counted (`late_events`), not scored. */
      allowed_lateness: duration.default('15m'),
      /** Disorder within this much event time is sorted out before scoring (replay). */
      reorder_horizon: duration.default('15m'),
      /** Most events held for reordering; past it the oldest goes out early (counted). */
      reorder_capacity: z.number().int().min(1).max(10_000_000).default(200_000),
      /** `auto`: first-seen rules stay silent for their learning period; `skip`: they alert at once. */
      learning: z.enum(['auto', 'skip']).default('auto'),
    })
    .prefault({}),
  rules: z
    .strictObject({
      /** Folder of rule files; the built-in rules when absent. */
      dir: z.string().min(1).optional(),
      /** Rule ids to turn off without editing their files. */
      disabled: z.array(z.string()).default([]),
    })
    .prefault({}),
  state: z
    .strictObject({
      /** Folder for detector state (kept across runs, filled by `baseline`); `run` defaults to ./.secretwatch. */
      dir: z.string().min(1).optional(),
      /** `run`: how often the detector state is saved (it is also saved on shutdown). */
      save_interval: duration.default('5m'),
      /**
       * `run`: bytes of write-ahead log (events since the last snapshot) past which a snapshot is
       * taken early; at twice this (snapshots failing) receivers answer 429 until one succeeds.
       */
      wal_max_bytes: z.number().int().min(1_048_576).default(268_435_456),
    })
    .prefault({}),
  /**
   * `run`: the OTLP logs receivers a Collector sends raw audit logs to. Each takes the keys in
   * src/receivers/otlp-http/config.ts and otlp-grpc/config.ts (validated there, naming the key);
   * `null` turns a receiver off.
   */
  receivers: z
    .strictObject({
      otlp_http: z.union([z.null(), z.record(z.string(), z.unknown())]).default({}),
      otlp_grpc: z.union([z.null(), z.record(z.string(), z.unknown())]).default({}),
    })
    .prefault({}),
  /** `run`: the health and metrics endpoint (`/healthz`, `/readyz`, `/metrics`). */
  http: z
    .strictObject({
      endpoint: z.string().min(1).default(DEFAULT_HTTP_ENDPOINT),
    })
    .prefault({}),
  /** `run`: where alerts go. */
  exporter: z
    .strictObject({
      /**
       * `otlp`: OTLP logs to `exporter.otlp` / the OTEL_EXPORTER_OTLP_* variables; `console`: JSON
       * lines on stdout; `auto` (default): otlp when an OTEL_EXPORTER_OTLP_(LOGS_)ENDPOINT
       * variable or `exporter.otlp.endpoint` is set, console otherwise.
       */
      type: z.enum(['auto', 'otlp', 'console']).default('auto'),
      /** protocol (http/protobuf, http/json, grpc), endpoint, headers, timeout_millis, compression. */
      otlp: z.record(z.string(), z.unknown()).default({}),
      /** Retry settings: initial_backoff_millis, max_backoff_millis, backoff_multiplier, max_batch_alerts. */
      retry: z.record(z.string(), z.unknown()).default({}),
      /** `/readyz` answers 503 "degraded" once retried alert exports have been failing this long without the queue moving on. */
      degraded_after: duration.refine((s) => (parseDuration(s) ?? 1) > 0, { message: 'must be above 0' }).default('5m'),
    })
    .prefault({}),
  /** `run`: the durable queue alerts wait in until the backend has them. */
  outbox: z
    .strictObject({
      /** Default: `<state.dir>/outbox`. */
      dir: z.string().min(1).optional(),
      max_bytes: z.number().int().min(1024).optional(),
      max_alerts: z.number().int().min(1).optional(),
      /** Alerts the backend refused for good (HTTP 4xx other than 408/429), as JSON lines. Default: `<state.dir>/dead-letter/alerts.jsonl`. */
      dead_letter_file: z.string().min(1).optional(),
      /** Most bytes of the dead-letter file; past it refused alerts are dropped (counted and logged). */
      dead_letter_max_bytes: z.number().int().min(1024).default(64 * 1024 * 1024),
    })
    .prefault({}),
  /** `run`: also send every normalized event as an OTLP log record (a clean multi-cloud feed). */
  forward_events: z
    .strictObject({
      enabled: z.boolean().default(false),
      otlp: z.record(z.string(), z.unknown()).default({}),
      max_queue_size: z.number().int().min(1).default(10_000),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  /** `run`: how long a SIGTERM may take to stop intake, flush and exit. */
  shutdown_timeout: duration.default('20s'),
});

export type Config = z.infer<typeof configSchema>;
