import type { LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';

/**
 * A processor that only collects the records a Logger emits, so the caller can hand exactly those
 * records to an exporter itself and see the result. (BatchLogRecordProcessor would queue them,
 * drop on overflow and swallow export failures: fine for a feed, not for alerts.)
 */
export class CaptureProcessor implements LogRecordProcessor {
  private captured: ReadableLogRecord[] = [];

  onEmit(logRecord: ReadWriteLogRecord): void {
    this.captured.push(logRecord);
  }

  /** The records emitted since the last call. */
  take(): ReadableLogRecord[] {
    const out = this.captured;
    this.captured = [];
    return out;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.captured = [];
    return Promise.resolve();
  }
}
