import { isSecretwatchError } from '../errors/codes.js';
import { countLogRecords, decodeExportLogsRequest, type ExportLogsPartialSuccess, type OtlpEncoding } from '../otlp/codec.js';
import { isConsumerOverloaded, type BatchConsumer, type DecoderFactory } from './consumer.js';
import type { Intake } from './intake.js';
import { OtlpIngest } from './otlp-ingest.js';
import type { ReceiverStats } from './receiver-stats.js';
import type { RequestBudget } from './request-budget.js';

/** What a transport answers, before it is spelled as an HTTP status or a gRPC code. */
export type ExportOutcome =
  | { kind: 'ok'; partialSuccess: ExportLogsPartialSuccess | undefined }
  /** The body is not an OTLP logs request: HTTP 400, gRPC INVALID_ARGUMENT (not retried). */
  | { kind: 'malformed'; message: string }
  /** The request inflates past `max_decompressed_bytes`: HTTP 413, gRPC INVALID_ARGUMENT (not retried). */
  | { kind: 'too_large'; message: string }
  /** Too much in flight: HTTP 429, gRPC RESOURCE_EXHAUSTED with RetryInfo (retried). */
  | { kind: 'overloaded'; message: string }
  /** The consumer failed: HTTP 503, gRPC UNAVAILABLE (retried). */
  | { kind: 'unavailable'; message: string }
  /** A bug in secretwatch: HTTP 500, gRPC INTERNAL (not retried, so a bad request cannot loop). */
  | { kind: 'internal'; message: string };

export interface ExportHandlerOptions {
  receiver: string;
  consumer: BatchConsumer;
  intake: Intake;
  stats: ReceiverStats;
  createDecoder?: DecoderFactory;
  onError?: (err: Error) => void;
}

/**
 * The transport-independent part of both OTLP receivers: decode the request, admit it into the
 * intake, decode the log bodies into events, hand them to the consumer, and count.
 *
 * `budget` is the request's byte account, opened by the transport before it buffered the body and
 * released by the transport when the answer is decided: here the decoded request and every
 * inflated log body are charged to it.
 */
export class LogsExportHandler {
  private readonly ingest: OtlpIngest;

  constructor(private readonly options: ExportHandlerOptions) {
    this.ingest = new OtlpIngest(options.receiver, options.createDecoder);
  }

  async export(body: Uint8Array, encoding: OtlpEncoding, budget: RequestBudget): Promise<ExportOutcome> {
    const { intake, stats } = this.options;
    let request;
    try {
      request = decodeExportLogsRequest(body, encoding);
    } catch (err) {
      if (isSecretwatchError(err) && err.code === 'SW_OTLP_MALFORMED') {
        stats.malformed++;
        return { kind: 'malformed', message: err.message };
      }
      return this.internal(err);
    }
    const records = countLogRecords(request);
    if (records === 0) return { kind: 'ok', partialSuccess: undefined };
    // The decoded request lives as long as the body did: count it once more.
    const held = budget.hold(body.byteLength);
    if (!held || !intake.tryAcquire(records)) {
      stats.overloaded++;
      return { kind: 'overloaded', message: intake.describeLoad(!held) };
    }
    try {
      let result;
      try {
        result = await this.ingest.ingest(request, budget);
      } catch (err) {
        return this.internal(err);
      }
      if (result.refusal !== undefined) {
        if (result.refusal === 'too_large') stats.tooLarge++;
        else stats.overloaded++;
        return { kind: result.refusal, message: result.detail };
      }
      const { batch, partialSuccess } = result;
      stats.records += batch.logRecords;
      stats.events += batch.events.length;
      stats.unrelated += batch.unrelated;
      stats.rejectedRecords += partialSuccess?.rejectedLogRecords ?? 0;
      for (const r of batch.rejections) stats.countRejection(r.reason);
      try {
        await this.options.consumer(batch);
      } catch (err) {
        if (isConsumerOverloaded(err)) {
          stats.overloaded++;
          return { kind: 'overloaded', message: (err as Error).message };
        }
        stats.unavailable++;
        this.options.onError?.(asError(err));
        return { kind: 'unavailable', message: `secretwatch could not process the records: ${asError(err).message}` };
      }
      return { kind: 'ok', partialSuccess };
    } finally {
      intake.release(records);
    }
  }

  private internal(err: unknown): ExportOutcome {
    this.options.onError?.(asError(err));
    return { kind: 'internal', message: `internal error: ${asError(err).message}` };
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
