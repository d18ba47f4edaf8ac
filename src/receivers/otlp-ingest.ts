import { allFormats } from '../../normalizers/index.js';
import { InputCursor } from '../decode/cursor.js';
import { Decoder } from '../decode/decoder.js';
import type { Rejection } from '../decode/rejection.js';
import type { DecodeSink } from '../decode/sink.js';
import { anyValueToJs, type ExportLogsPartialSuccess, type ExportLogsRequest, type LogRecord } from '../otlp/codec.js';
import type { DecoderFactory, IngestBatch } from './consumer.js';

/** Detail kept per reason in a partial success message. */
const MAX_DETAIL_CHARS = 160;

export const defaultDecoderFactory: DecoderFactory = (sink) => new Decoder(allFormats, sink);

export interface IngestResult {
  batch: IngestBatch;
  /** Undefined when every log record was accepted. */
  partialSuccess: ExportLogsPartialSuccess | undefined;
}

/**
 * Turns OTLP export requests into decoder calls, one log record body at a time:
 * a string body is decoded as text (JSON, JSON lines, base64...), a bytes body as bytes (gzip...),
 * a map or array body as an already parsed value, and a record without body is rejected.
 *
 * One instance per receiver: its cursor numbers audit records across all requests since start, so
 * `raw.source` + `raw.index` point at one record. Decoding is synchronous, so requests never interleave.
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

  ingest(request: ExportLogsRequest): IngestResult {
    const batch: IngestBatch = { receiver: this.receiver, events: [], rejections: [], unrelated: 0, logRecords: 0 };
    this.batch = batch;
    let rejectedRecords = 0;
    try {
      for (const rl of request.resourceLogs) {
        for (const sl of rl.scopeLogs) {
          for (const record of sl.logRecords) {
            batch.logRecords++;
            const before = batch.rejections.length;
            this.decodeRecord(record, batch);
            if (batch.rejections.length > before) rejectedRecords++;
          }
        }
      }
    } finally {
      this.batch = undefined;
    }
    return { batch, partialSuccess: rejectedRecords === 0 ? undefined : summarize(rejectedRecords, batch.logRecords, batch.rejections) };
  }

  private current(): IngestBatch {
    if (this.batch === undefined) throw new Error('OtlpIngest: the decoder delivered outside ingest()');
    return this.batch;
  }

  private decodeRecord(record: LogRecord, batch: IngestBatch): void {
    const body = record.body;
    if (body === undefined) {
      batch.rejections.push(emptyBody(this.cursor));
      return;
    }
    switch (body.kind) {
      case 'string':
        return this.decoder.decodeText(body.value, this.cursor);
      case 'bytes':
        return this.decoder.decodeBytes(body.value, this.cursor);
      default:
        // Maps and arrays are parsed records or batches; scalars are rejected by the decoder.
        return this.decoder.decodeValue(anyValueToJs(body), this.cursor);
    }
  }
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
