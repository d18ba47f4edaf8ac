import type { Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { packageVersion } from '../../cli/version.js';
import { SecretwatchError } from '../../errors/codes.js';
import { createLogExporter } from '../otlp/create-exporter.js';
import { resolveOtlpExport, type Env, type OtlpExportOptions, type ResolvedOtlpExport } from '../otlp/export-config.js';
import { SCOPE_NAME, secretwatchResource, type ResourceOptions } from '../otlp/resource.js';
import { CountingExporter } from './counting-exporter.js';
import { eventLogRecord } from './event-log-record.js';

export interface EventForwarderOptions extends OtlpExportOptions, ResourceOptions {
  /** Most events waiting or being exported; past it new events are dropped and counted. */
  max_queue_size?: number;
  max_export_batch_size?: number;
  scheduled_delay_millis?: number;
  /** How long the batch processor waits for one export before moving on. */
  export_timeout_millis?: number;
  /** Epoch ms for the observed timestamp (injectable for tests). */
  now?: () => number;
}

export const FORWARDER_DEFAULTS = {
  max_queue_size: 8192,
  max_export_batch_size: 512,
  scheduled_delay_millis: 1_000,
  export_timeout_millis: 30_000,
} as const;

export interface ForwarderStats {
  /** Events taken into the queue. */
  accepted: number;
  /** Events the backend accepted. */
  exported: number;
  /** Events in exports that failed (not retried: this is a feed, not alerts). */
  export_failed: number;
  /** Events refused because the queue was full. */
  dropped_queue_full: number;
  /** Events offered after shutdown(). */
  dropped_stopped: number;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new SecretwatchError('SW_CONFIG_INVALID', `forward_events.${name} must be a positive integer (got ${String(value)})`);
  return v;
}

/**
 * Optional feed of every normalized event as an OTLP log record (`secretwatch.secret_access`),
 * off unless configured. Best effort by design: the SDK's BatchLogRecordProcessor with a bounded
 * queue, no outbox, no retry beyond the exporter's own. Every event is counted as exported, failed
 * or dropped.
 *
 * The queue bound is enforced here, before the processor, counting events until their export
 * reports back: the processor's own overflow drops silently, and this way it never overflows
 * (its queue holds at most what is counted here) while `dropped_queue_full` is exact.
 */
export class EventForwarder {
  readonly stats: ForwarderStats = { accepted: 0, exported: 0, export_failed: 0, dropped_queue_full: 0, dropped_stopped: 0 };
  private readonly provider: LoggerProvider;
  private readonly logger: ReturnType<LoggerProvider['getLogger']>;
  private readonly maxQueueSize: number;
  private readonly now: () => number;
  private stopped: Promise<void> | undefined;

  constructor(
    exporter: LogRecordExporter,
    resource: Resource,
    options: EventForwarderOptions = {},
    /** The resolved settings when built by `create`. */
    readonly config?: ResolvedOtlpExport,
  ) {
    this.maxQueueSize = positiveInt('max_queue_size', options.max_queue_size, FORWARDER_DEFAULTS.max_queue_size);
    const batchSize = Math.min(this.maxQueueSize, positiveInt('max_export_batch_size', options.max_export_batch_size, FORWARDER_DEFAULTS.max_export_batch_size));
    this.now = options.now ?? Date.now;
    const counting = new CountingExporter(exporter, (records, ok) => {
      if (ok) this.stats.exported += records;
      else this.stats.export_failed += records;
    });
    this.provider = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor({
          exporter: counting,
          maxQueueSize: this.maxQueueSize,
          maxExportBatchSize: batchSize,
          scheduledDelayMillis: positiveInt('scheduled_delay_millis', options.scheduled_delay_millis, FORWARDER_DEFAULTS.scheduled_delay_millis),
          exportTimeoutMillis: positiveInt('export_timeout_millis', options.export_timeout_millis, FORWARDER_DEFAULTS.export_timeout_millis),
        }),
      ],
    });
    this.logger = this.provider.getLogger(SCOPE_NAME, options.service_version ?? packageVersion());
  }

  static create(options: EventForwarderOptions = {}, env: Env = process.env): EventForwarder {
    const config = resolveOtlpExport(options, env);
    return new EventForwarder(createLogExporter(config), secretwatchResource(options), options, config);
  }

  /** Events waiting in the queue or in an export that has not reported back. */
  get queued(): number {
    return this.stats.accepted - this.stats.exported - this.stats.export_failed;
  }

  /** Queues one event; false when it was dropped (queue full or shut down). Never blocks. */
  forward(event: SecretAccessEvent): boolean {
    if (this.stopped !== undefined) {
      this.stats.dropped_stopped++;
      return false;
    }
    if (this.queued >= this.maxQueueSize) {
      this.stats.dropped_queue_full++;
      return false;
    }
    this.stats.accepted++;
    this.logger.emit(eventLogRecord(event, this.now()));
    return true;
  }

  /** Exports what is queued now. */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Exports what is queued, then closes the exporter. Idempotent. */
  shutdown(): Promise<void> {
    this.stopped ??= this.provider.shutdown();
    return this.stopped;
  }
}
