import { allFormats } from '../../normalizers/index.js';
import { UNLIMITED_BUDGET } from '../decode/budget.js';
import { InputCursor } from '../decode/cursor.js';
import { Decoder } from '../decode/decoder.js';
import { inflateAsync, type DecodeWork, type InflateResult } from '../decode/inflate.js';
import type { Rejection } from '../decode/rejection.js';
import type { DecodeSink } from '../decode/sink.js';
import { anyValueToJs, type ExportLogsPartialSuccess, type ExportLogsRequest, type LogRecord } from '../otlp/codec.js';
import type { DecoderFactory, IngestBatch } from './consumer.js';
import type { BudgetRefusal, RequestBudget } from './request-budget.js';
import { TimeSlice } from './time-slice.js';

/** Detail kept per reason in a partial success message. */
const MAX_DETAIL_CHARS = 160;

export const defaultDecoderFactory: DecoderFactory = (sink) => new Decoder(allFormats, sink);

export type IngestResult =
  | {
      batch: IngestBatch;
      /** Undefined when every log record was accepted. */
      partialSuccess: ExportLogsPartialSuccess | undefined;
      refusal?: undefined;
    }
  /** The request's budget ran out while decoding: nothing of it may be consumed. */
  | { refusal: BudgetRefusal; detail: string };

/** What ingest needs of a request's budget: a decoder budget that may say why it stopped. */
export type IngestBudget = Pick<RequestBudget, 'remaining' | 'spend' | 'exhausted' | 'refusal' | 'maxDecompressedBytes' | 'bytesInflated'>;

const UNLIMITED: IngestBudget = { ...UNLIMITED_BUDGET, refusal: undefined, maxDecompressedBytes: Number.POSITIVE_INFINITY, bytesInflated: 0 };

/**
 * Turns OTLP export requests into decoder calls, one log record body at a time:
 * a string body is decoded as text (JSON, JSON lines, base64...), a bytes body as bytes (gzip...),
 * a map or array body as an already parsed value, and a record without body is rejected.
 *
 * One instance per receiver: its cursor numbers audit records across all requests since start, so
 * `raw.source` + `raw.index` point at one record. Requests interleave (inflations run on the thread
 * pool, and the event loop is handed back between records), but each stretch of decoding runs
 * with its own request's batch as the sink's target.
 */
export class OtlpIngest {
  private readonly cursor: InputCursor;
  private readonly decoder: Decoder;
  private batch: IngestBatch | undefined;

  constructor(
    readonly receiver: string,
    createDecoder: DecoderFactory = defaultDecoderFactory,
  ) {
    this.cursor = new InputCursor(receiver);
    const sink: DecodeSink = {
      event: (event) => this.current().events.push(event),
      rejection: (rejection) => this.current().rejections.push(rejection),
      unrelated: () => void this.current().unrelated++,
    };
    this.decoder = createDecoder(sink);
  }

  /**
   * Decodes every log record of `request` within `budget`. Stops at the first record that
   * exhausts the budget (a gzip bomb, nested or not) and returns the refusal instead of a batch.
   */
  async ingest(request: ExportLogsRequest, budget: IngestBudget = UNLIMITED): Promise<IngestResult> {
    const batch: IngestBatch = { receiver: this.receiver, events: [], rejections: [], unrelated: 0, logRecords: 0 };
    const slice = new TimeSlice();
    let rejectedRecords = 0;
    for (const rl of request.resourceLogs) {
      for (const sl of rl.scopeLogs) {
        for (const record of sl.logRecords) {
          batch.logRecords++;
          const before = batch.rejections.length;
          await this.drive(this.recordWork(record, budget), batch, slice);
          if (budget.refusal !== undefined) return { refusal: budget.refusal, detail: refusalDetail(budget) };
          if (batch.rejections.length > before) rejectedRecords++;
          await slice.pause();
        }
      }
    }
    return { batch, partialSuccess: rejectedRecords === 0 ? undefined : summarize(rejectedRecords, batch.logRecords, batch.rejections) };
  }

  private current(): IngestBatch {
    if (this.batch === undefined) throw new Error('OtlpIngest: the decoder delivered outside ingest()');
    return this.batch;
  }

  /** Runs decoding work: gunzip on the thread pool, a turn of the event loop when a slice is used up. */
  private async drive(work: DecodeWork, batch: IngestBatch, slice: TimeSlice): Promise<void> {
    let input: InflateResult | undefined;
    for (;;) {
      this.batch = batch;
      let next;
      try {
        next = work.next(input);
      } finally {
        this.batch = undefined;
      }
      if (next.done === true) return;
      if (next.value.kind === 'inflate') {
        input = await inflateAsync(next.value);
        slice.resumed();
      } else {
        input = undefined;
        await slice.pause();
      }
    }
  }

  private *recordWork(record: LogRecord, budget: IngestBudget): DecodeWork {
    const body = record.body;
    if (body === undefined) {
      this.current().rejections.push(emptyBody(this.cursor));
      return;
    }
    switch (body.kind) {
      case 'string':
        return yield* this.decoder.textWork(body.value, this.cursor, budget);
      case 'bytes':
        return yield* this.decoder.bytesWork(body.value, this.cursor, budget);
      default:
        // Maps and arrays are parsed records or batches; scalars are rejected by the decoder.
        return yield* this.decoder.valueWork(anyValueToJs(body), this.cursor, budget);
    }
  }
}

function refusalDetail(budget: IngestBudget): string {
  return budget.refusal === 'too_large'
    ? `the request inflates to more than max_decompressed_bytes (${budget.maxDecompressedBytes}), nested log bodies included`
    : 'secretwatch has too many bytes in flight to decode this request now; retry later';
}

function emptyBody(cursor: InputCursor): Rejection {
  return { reason: 'malformed_record', detail: 'OTLP log record has an empty body', source: cursor.source, index: cursor.take(), format: '', input: null };
}

/** `rejected_log_records` and an `error_message` naming each reason once, with its count and first detail. */
function summarize(rejectedRecords: number, total: number, rejections: readonly Rejection[]): ExportLogsPartialSuccess {
  const byReason = new Map<string, { count: number; detail: string }>();
  for (const r of rejections) {
    const entry = byReason.get(r.reason);
    if (entry === undefined) byReason.set(r.reason, { count: 1, detail: r.detail });
    else entry.count++;
  }
  const parts = [...byReason].map(([reason, { count, detail }]) => {
    const short = detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}…` : detail;
    return `${reason} x${count} (e.g. ${short})`;
  });
  return {
    rejectedLogRecords: rejectedRecords,
    errorMessage: `${rejectedRecords} of ${total} log records rejected in whole or in part: ${parts.join('; ')}`,
  };
}
