import type { Alert } from '../../../detectors/alerts/alert.js';
import type { FileLayer } from '../../fs/file-layer.js';

/**
 * Options of the alert outbox (`Outbox.open`). Units are in the names; every key has a named
 * default in `OUTBOX_DEFAULTS`.
 */
export interface OutboxOptions {
  /** Folder of the segment files; created when missing. One live outbox per folder (a lock file says whose). */
  dir: string;
  /**
   * Most bytes of segment files on disk: unacknowledged alerts plus the acknowledged head of a
   * segment that still holds unacknowledged ones. An append that would pass it fails with
   * `SW_OUTBOX_FULL`.
   */
  max_bytes?: number;
  /** Most unacknowledged alerts; an append that would pass it fails with `SW_OUTBOX_FULL`. */
  max_alerts?: number;
  /** A segment file takes no more appends once it reaches this size; the next append starts a new one. */
  segment_max_bytes?: number;
  /** Epoch milliseconds, for `appended_at` and the oldest alert's age (injectable for tests). */
  now?: () => number;
  /** The file operations writes and syncs go through (tests observe or fail them); default: the real disk. */
  files?: FileLayer;
}

export const OUTBOX_DEFAULTS = {
  max_bytes: 256 * 1024 * 1024,
  max_alerts: 100_000,
  segment_max_bytes: 8 * 1024 * 1024,
} as const;

/** One unacknowledged alert as `peek` returns it. */
export interface OutboxEntry {
  /**
   * The outbox's own sequence number: increasing in append order, unique in this folder for its
   * life. `ack` takes these (alert ids may repeat when a replay produces the same alert again).
   */
  seq: number;
  /** When the alert was appended (epoch ms from the outbox clock). */
  appended_at: number;
  alert: Alert;
}

export interface OutboxDepth {
  /** Unacknowledged alerts. */
  alerts: number;
  /** Bytes of their lines on disk. */
  bytes: number;
  /** Bytes of all segment files (what `max_bytes` bounds). */
  disk_bytes: number;
  segments: number;
  /** Age of the oldest unacknowledged alert in ms (0 when empty). */
  oldest_age_ms: number;
}

/** Counters since open (plain numbers, for metrics). */
export interface OutboxStats {
  appended: number;
  acked: number;
  /** Alerts refused because the outbox was full (`SW_OUTBOX_FULL`). */
  rejected_full: number;
  /** Append batches that failed to write or sync (`SW_OUTBOX_IO`). */
  write_errors: number;
  /** Unacknowledged alerts found on disk at open. */
  recovered: number;
  /** Incomplete last lines found at open (a write cut by a crash), skipped and truncated away. */
  torn_lines: number;
  /** Whole lines that are not an outbox entry or fail their checksum (damaged or edited file), skipped, never sent. */
  corrupt_lines: number;
  /**
   * At open: how far the acknowledgement cursor was past the newest line on disk (0 normally).
   * Such a cursor was not written by this outbox: it is not trusted, and the lines on disk are sent
   * again (duplicates with the same alert ids, not losses).
   */
  cursor_ahead: number;
}
