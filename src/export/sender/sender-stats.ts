/** Counters of an AlertSender since it was created (plain numbers and small maps, for metrics). */
export interface SenderStats {
  /** Batches and alerts the sink accepted (and the outbox then acknowledged). */
  batches_sent: number;
  alerts_sent: number;
  /** Delivery attempts that failed (sink error, timeout, outbox read error), permanent ones included. */
  failures: number;
  /** Attempts the backend refused for good (HTTP 4xx other than 408/429, gRPC INVALID_ARGUMENT...). */
  permanent_failures: number;
  /** Alerts refused for good and written to the dead-letter file, by reason (`http_400`...). */
  dead_lettered: Map<string, number>;
  /** Alerts refused for good that could not be kept (dead-letter file full or not configured), by reason. */
  dead_letter_dropped: Map<string, number>;
  /**
   * Since when the head of the outbox has been failing to go anywhere (epoch ms): set by a failure
   * that leaves the alerts waiting for a retry, cleared once the queue moves on (delivered, or
   * refused for good and dead-lettered). Undefined while exports succeed.
   */
  failing_since_ms: number | undefined;
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
    permanent_failures: 0,
    dead_lettered: new Map(),
    dead_letter_dropped: new Map(),
    failing_since_ms: undefined,
    retries: 0,
    consecutive_failures: 0,
    last_error: undefined,
    last_error_at_ms: undefined,
    last_success_at_ms: undefined,
    last_backoff_ms: 0,
    in_flight: 0,
  };
}
