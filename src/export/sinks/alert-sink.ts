import type { Alert } from '../../../detectors/alerts/alert.js';
import type { PermanentFailure } from './export-failure.js';

/**
 * What one delivery attempt came to. A failure with `permanent` set was refused for its content
 * (sending it again cannot succeed); any other failure is retried.
 */
export type SinkResult = { ok: true } | { ok: false; error: Error; permanent?: PermanentFailure };

/**
 * Where the AlertSender delivers batches. `send` never rejects: a failure is a result, so the
 * sender keeps the alerts in the outbox and retries (or, when permanent, dead-letters them).
 */
export interface AlertSink {
  /** For messages and metrics: `otlp http/protobuf`, `console`... */
  readonly name: string;
  send(alerts: readonly Alert[]): Promise<SinkResult>;
  /** Releases connections. Alerts not yet acknowledged stay in the outbox. */
  shutdown(): Promise<void>;
}
