import type { Writable } from 'node:stream';
import type { Alert } from '../../../detectors/alerts/alert.js';
import type { AlertSink, SinkResult } from './alert-sink.js';

/**
 * Alerts as JSON lines on standard output (one alert object per line, as `replay --format jsonl`),
 * for local use. A batch counts as delivered once the stream has taken it.
 */
export class ConsoleAlertSink implements AlertSink {
  readonly name = 'console';

  constructor(private readonly out: Writable = process.stdout) {}

  send(alerts: readonly Alert[]): Promise<SinkResult> {
    let chunk = '';
    for (const alert of alerts) chunk += `${JSON.stringify(alert)}\n`;
    return new Promise((resolve) => {
      try {
        this.out.write(chunk, (err) => resolve(err ? { ok: false, error: err } : { ok: true }));
      } catch (err) {
        resolve({ ok: false, error: err as Error });
      }
    });
  }

  shutdown(): Promise<void> {
    // Standard output belongs to the process; it is not closed here.
    return Promise.resolve();
  }
}
