import type { BatchConsumer, DecoderFactory } from './consumer.js';
import type { Intake } from './intake.js';
import type { ReceiverStats } from './receiver-stats.js';

/**
 * What the `run` command wires into a receiver. Only `consumer` is required.
 *
 *   const intake = new Intake(50_000);                 // optional: one bound for both receivers
 *   const http = new OtlpHttpReceiver(config.otlp_http, { consumer, intake });
 *   const grpc = new OtlpGrpcReceiver(config.otlp_grpc, { consumer, intake });
 *   await http.start(); await grpc.start();
 *   ...; await Promise.all([http.stop(), grpc.stop()]);
 */
export interface ReceiverDeps {
  /** Receives each request's events; see BatchConsumer for the retry contract. */
  consumer: BatchConsumer;
  /** Counters to update; default: a new ReceiverStats, readable as `receiver.stats`. */
  stats?: ReceiverStats;
  /** In-flight bound; default: one per receiver from `max_records_in_flight`. */
  intake?: Intake;
  /** Decoder construction; default: every format in normalizers/. */
  createDecoder?: DecoderFactory;
  /**
   * Called once per failed request (consumer failure, internal error), never per record, so the
   * caller can log it. Refusals (401, 413, 429...) are only counted.
   */
  onError?: (err: Error) => void;
}

/** The lifecycle both OTLP receivers share. */
export interface Receiver {
  /** `otlp-http` or `otlp-grpc`: the `raw.source` of its events and the metrics label. */
  readonly name: string;
  readonly stats: ReceiverStats;
  /** Listens on the configured endpoint; resolves to the bound port. Returns quickly. */
  start(): Promise<number>;
  /** Listens on `address` (`host:port`, port 0 picks a free port); resolves to the bound port. */
  listen(address: string): Promise<number>;
  /**
   * Stops accepting, lets requests in flight finish (up to `shutdown_timeout_ms`), then closes.
   * Idempotent (every call returns the same promise) and safe before start.
   */
  stop(): Promise<void>;
}
