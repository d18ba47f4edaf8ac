import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeadLetterFile } from './dead-letter/dead-letter-file.js';
import type { EventForwarder } from './forwarder/event-forwarder.js';
import type { Outbox } from './outbox/outbox.js';
import type { AlertSender } from './sender/alert-sender.js';

/**
 * Prometheus metrics read from the export components' stats at scrape time (no work per alert).
 * Counters mirror counters kept by the components, so they are set, not incremented, on collect.
 */
export interface ExportMetricSources {
  outbox?: Outbox;
  sender?: AlertSender;
  forwarder?: EventForwarder;
  deadLetter?: DeadLetterFile;
}

function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

function mirroredCounterByReason(registry: Registry, name: string, help: string, read: () => ReadonlyMap<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of read()) this.inc({ reason }, n);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

export function registerExportMetrics(registry: Registry, sources: ExportMetricSources): void {
  const { outbox, sender, forwarder, deadLetter } = sources;
  if (outbox !== undefined) {
    gauge(registry, 'secretwatch_outbox_alerts', 'Alerts in the outbox not yet delivered.', () => outbox.depth().alerts);
    gauge(registry, 'secretwatch_outbox_bytes', 'Bytes of the alerts in the outbox not yet delivered.', () => outbox.depth().bytes);
    gauge(registry, 'secretwatch_outbox_disk_bytes', 'Bytes of outbox segment files (bounded by outbox.max_bytes).', () => outbox.depth().disk_bytes);
    gauge(registry, 'secretwatch_outbox_oldest_age_seconds', 'Age of the oldest undelivered alert.', () => outbox.depth().oldest_age_ms / 1000);
    mirroredCounter(registry, 'secretwatch_outbox_rejected_full_total', 'Alerts refused because the outbox was full.', () => outbox.stats.rejected_full);
    mirroredCounter(registry, 'secretwatch_outbox_write_errors_total', 'Outbox writes or syncs that failed.', () => outbox.stats.write_errors);
    mirroredCounter(registry, 'secretwatch_outbox_torn_lines_total', 'Incomplete last lines skipped at open (crash during a write).', () => outbox.stats.torn_lines);
    mirroredCounter(registry, 'secretwatch_outbox_corrupt_lines_total', 'Damaged outbox lines skipped.', () => outbox.stats.corrupt_lines);
    gauge(registry, 'secretwatch_outbox_cursor_ahead', 'At start: how far the acknowledgement cursor was past the newest outbox line (0 normally).', () => outbox.stats.cursor_ahead);
  }
  if (sender !== undefined) {
    mirroredCounter(registry, 'secretwatch_alerts_sent_total', 'Alerts the backend accepted.', () => sender.stats.alerts_sent);
    mirroredCounter(registry, 'secretwatch_alert_export_failures_total', 'Alert export attempts that failed.', () => sender.stats.failures);
    mirroredCounter(registry, 'secretwatch_alert_export_retries_total', 'Alert export attempts made again after a failure.', () => sender.stats.retries);
    gauge(registry, 'secretwatch_alert_export_consecutive_failures', 'Failed alert export attempts since the last success.', () => sender.stats.consecutive_failures);
    mirroredCounter(registry, 'secretwatch_alert_export_permanent_failures_total', 'Alert export attempts the backend refused for good (HTTP 4xx but 408/429, gRPC INVALID_ARGUMENT...).', () => sender.stats.permanent_failures);
    gauge(registry, 'secretwatch_alert_export_failing_seconds', 'How long the alerts at the head of the outbox have been failing to export (0 while the queue moves).', () => {
      const since = sender.stats.failing_since_ms;
      return since === undefined ? 0 : Math.max(0, Date.now() - since) / 1000;
    });
    mirroredCounterByReason(registry, 'secretwatch_alerts_dead_lettered_total', 'Alerts the backend refused for good, written to the dead-letter file, by reason.', () => sender.stats.dead_lettered);
    mirroredCounterByReason(
      registry,
      'secretwatch_alerts_dead_letter_dropped_total',
      'Alerts the backend refused for good that the dead-letter file could not take (full), by reason.',
      () => sender.stats.dead_letter_dropped,
    );
  }
  if (deadLetter !== undefined) {
    gauge(registry, 'secretwatch_dead_letter_bytes', 'Size of the alert dead-letter file (bounded by outbox.dead_letter_max_bytes).', () => deadLetter.stats.bytes);
    mirroredCounter(registry, 'secretwatch_dead_letter_write_errors_total', 'Dead-letter writes or syncs that failed (the alert stayed in the outbox).', () => deadLetter.stats.write_errors);
  }
  if (forwarder !== undefined) {
    mirroredCounter(registry, 'secretwatch_events_forwarded_total', 'Normalized events the backend accepted.', () => forwarder.stats.exported);
    mirroredCounter(registry, 'secretwatch_events_forward_failed_total', 'Normalized events in failed exports.', () => forwarder.stats.export_failed);
    mirroredCounter(
      registry,
      'secretwatch_events_forward_dropped_total',
      'Normalized events dropped before export (queue full or shut down).',
      () => forwarder.stats.dropped_queue_full + forwarder.stats.dropped_stopped,
    );
  }
}
