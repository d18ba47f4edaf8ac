import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** Wraps an exporter to report how many records each export delivered or lost. */
export class CountingExporter implements LogRecordExporter {
  constructor(
    private readonly inner: LogRecordExporter,
    private readonly onResult: (records: number, ok: boolean) => void,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    let reported = false;
    const report = (result: ExportResult): void => {
      if (!reported) {
        reported = true;
        this.onResult(logs.length, result.code === ExportResultCode.SUCCESS);
      }
      resultCallback(result);
    };
    try {
      this.inner.export(logs, report);
    } catch (err) {
      report({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
}
