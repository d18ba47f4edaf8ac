import type { Alert } from '../../../detectors/alerts/alert.js';

/** What one delivery attempt came to. */
export type SinkResult = { ok: true } | { ok: false; error: Error };

/**
 * Where the AlertSender delivers batches. `send` never rejects: a failure is a result, so the
 * sender keeps the alerts in the outbox and retries.
 */
export interface AlertSink {
  /** For messages and metrics: `otlp http/protobuf`, `console`... */
  readonly name: string;
  send(alerts: readonly Alert[]): Promise<SinkResult>;
  /** Releases connections. Alerts not yet acknowledged stay in the outbox. */
  shutdown(): Promise<void>;
}
