import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Decoder } from '../decode/decoder.js';
import type { Rejection } from '../decode/rejection.js';
import type { DecodeSink } from '../decode/sink.js';
import { SecretwatchError } from '../errors/codes.js';

/** What one export request yielded, handed to the consumer in one call. */
export interface IngestBatch {
  /** The receiver's name (`otlp-http`, `otlp-grpc`), also every event's `raw.source`. */
  receiver: string;
  /** Normalized events, in request order. */
  events: SecretAccessEvent[];
  /** Decoder rejections, for the dead-letter output (one per rejected audit record, not per log record). */
  rejections: Rejection[];
  /** Audit records that were well formed but not secret accesses. */
  unrelated: number;
  /** Log records in the request. */
  logRecords: number;
}

/**
 * Where a receiver delivers batches: the `run` command scores them with the detector.
 *
 * The receiver answers the sender only once the promise settles, so a slow consumer slows the
 * senders down (bounded by the receiver's intake). Rejecting with `consumerOverloaded()` answers
 * 429 / RESOURCE_EXHAUSTED (retry later); any other rejection answers 503 / UNAVAILABLE (also
 * retried). Either way the Collector sends the whole request again, so events may be seen twice:
 * `event_id` identifies duplicates.
 */
export type BatchConsumer = (batch: IngestBatch) => Promise<void>;

/** Builds the decoder a receiver uses; the receiver supplies the sink. Default: every format. */
export type DecoderFactory = (sink: DecodeSink) => Decoder;

/** The error a consumer rejects with when it cannot take more work now. */
export function consumerOverloaded(detail: string): SecretwatchError {
  return new SecretwatchError('SW_RECEIVER_OVERLOADED', detail);
}

export function isConsumerOverloaded(err: unknown): boolean {
  return err instanceof SecretwatchError && err.code === 'SW_RECEIVER_OVERLOADED';
}
