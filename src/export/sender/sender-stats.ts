/** Counters of an AlertSender since it was created (plain numbers, for metrics). */
export interface SenderStats {
  /** Batches and alerts the sink accepted (and the outbox then acknowledged). */
  batches_sent: number;
  alerts_sent: number;
  /** Delivery attempts that failed (sink error, timeout, outbox read error). */
  failures: number;
  /** Attempts made again after a failure (each waits out a backoff delay first). */
  retries: number;
  /** Failures since the last success: 0 when the backend is healthy. */
  consecutive_failures: number;
  last_error: string | undefined;
  last_error_at_ms: number | undefined;
  last_success_at_ms: number | undefined;
  /** The delay waited before the latest retry. */
  last_backoff_ms: number;
  /** Alerts in the batch being sent now. */
  in_flight: number;
}

export function newSenderStats(): SenderStats {
  return {
    batches_sent: 0,
    alerts_sent: 0,
    failures: 0,
    retries: 0,
    consecutive_failures: 0,
    last_error: undefined,
    last_error_at_ms: undefined,
    last_success_at_ms: undefined,
    last_backoff_ms: 0,
    in_flight: 0,
  };
}
