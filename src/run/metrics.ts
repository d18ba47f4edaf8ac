import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Detector } from '../../detectors/detector.js';
import type { Intake } from '../receivers/intake.js';
import type { ReceiverStats } from '../receivers/receiver-stats.js';
import type { WalStats } from '../state/wal/write-ahead-log.js';
import type { DurabilityStats } from './durable-detector.js';

/**
 * Prometheus metrics of the sidecar, read from the components' own counters at scrape time, so
 * nothing is done per event for metrics. Export-side metrics (outbox depth, export successes and
 * failures) are registered by src/export/export-metrics.ts on the same registry.
 */
export interface SidecarMetricSources {
  receivers: readonly { name: string; stats: ReceiverStats }[];
  /** The receivers' shared admission bound. */
  intake: Intake;
  /** The detector now (it is replaced when state is rebuilt after a failed request). */
  detector: () => Detector;
  durability: { stats: DurabilityStats; wal: { bytes: number; stats: WalStats } };
  /** Event time of the newest event scored, epoch ms (NaN before the first). */
  lastEventTimeMs: () => number;
  /** Wall-clock time that event was scored, epoch ms. */
  lastScoredAtMs: () => number;
  /** Events scored by `receiver|provider`. */
  eventsByReceiverProvider: () => ReadonlyMap<string, number>;
}

function mirrored(registry: Registry, name: string, help: string, labelNames: string[], read: () => [Record<string, string>, number][]): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

function gauge(registry: Registry, name: string, help: string, labelNames: string[], read: () => [Record<string, string>, number][]): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

export function registerSidecarMetrics(registry: Registry, sources: SidecarMetricSources): void {
  collectDefaultMetrics({ register: registry, prefix: 'secretwatch_process_' });
  const perReceiver = (read: (s: ReceiverStats) => number): (() => [Record<string, string>, number][]) => () =>
    sources.receivers.map((r) => [{ receiver: r.name }, read(r.stats)]);

  mirrored(registry, 'secretwatch_requests_total', 'OTLP export requests received.', ['receiver'], perReceiver((s) => s.requests));
  mirrored(registry, 'secretwatch_log_records_received_total', 'OTLP log records received and decoded.', ['receiver'], perReceiver((s) => s.records));
  mirrored(registry, 'secretwatch_events_normalized_total', 'Secret access events normalized from received records.', ['receiver'], perReceiver((s) => s.events));
  mirrored(registry, 'secretwatch_events_received_total', 'Secret access events scored, by receiver and cloud provider.', ['receiver', 'provider'], () =>
    [...sources.eventsByReceiverProvider().entries()].map(([key, n]): [Record<string, string>, number] => {
      const [receiver = '', provider = ''] = key.split('|');
      return [{ receiver, provider }, n];
    }),
  );
  mirrored(registry, 'secretwatch_records_unrelated_total', 'Well-formed audit records that are not secret accesses.', ['receiver'], perReceiver((s) => s.unrelated));
  mirrored(registry, 'secretwatch_records_rejected_total', 'Audit records rejected by the decoder, by reason.', ['receiver', 'reason'], () =>
    sources.receivers.flatMap((r) => [...r.stats.rejectedByReason.entries()].map(([reason, n]): [Record<string, string>, number] => [{ receiver: r.name, reason }, n])),
  );
  mirrored(registry, 'secretwatch_requests_refused_total', 'Requests refused before decoding, by reason.', ['receiver', 'reason'], () =>
    sources.receivers.flatMap((r) =>
      (
        [
          ['unauthorized', r.stats.unauthorized],
          ['too_large', r.stats.tooLarge],
          ['overloaded', r.stats.overloaded],
          ['malformed', r.stats.malformed],
          ['unsupported', r.stats.unsupported],
          ['unavailable', r.stats.unavailable],
        ] as const
      ).map(([reason, n]): [Record<string, string>, number] => [{ receiver: r.name, reason }, n]),
    ),
  );
  gauge(registry, 'secretwatch_intake_bytes_in_flight', 'Bytes buffered and decoded by requests not answered yet (bound: max_bytes_in_flight).', [], () => [[{}, sources.intake.bytesInFlight]]);
  gauge(registry, 'secretwatch_intake_records_in_flight', 'Log records decoded and not yet consumed (bound: max_records_in_flight).', [], () => [[{}, sources.intake.recordsInFlight]]);
  const ruleStats = (read: (s: ReturnType<Detector['stats']>[string]) => number) => (): [Record<string, string>, number][] =>
    Object.entries(sources.detector().stats()).map(([rule, s]) => [{ rule }, read(s)]);
  mirrored(registry, 'secretwatch_alerts_total', 'Alerts raised, by rule.', ['rule'], ruleStats((s) => s.alerts));
  mirrored(registry, 'secretwatch_alerts_throttled_total', 'Alerts suppressed by throttling, by rule.', ['rule'], ruleStats((s) => s.throttled));
  mirrored(registry, 'secretwatch_alerts_suppressed_learning_total', 'Findings suppressed during a learning period, by rule.', ['rule'], ruleStats((s) => s.suppressed_learning));
  mirrored(registry, 'secretwatch_events_excepted_total', 'Events dropped by rule exceptions, by rule.', ['rule'], ruleStats((s) => s.excepted));
  mirrored(registry, 'secretwatch_late_events_total', 'Events later than the allowed lateness, not scored, by rule.', ['rule'], ruleStats((s) => s.engine.late_events));
  gauge(registry, 'secretwatch_sketch_saturated', 'Sketches past their design capacity (error bounds no longer hold), by rule.', ['rule'], ruleStats((s) => s.engine.saturated));
  // Exact per-group state (threshold candidates, sequence failures): only rules that keep one.
  const exactStats = (read: (e: NonNullable<ReturnType<Detector['stats']>[string]['engine']['exact']>) => number) => (): [Record<string, string>, number][] =>
    Object.entries(sources.detector().stats()).flatMap(([rule, s]) => (s.engine.exact !== undefined ? [[{ rule }, read(s.engine.exact)] as [Record<string, string>, number]] : []));
  gauge(registry, 'secretwatch_exact_groups', 'Groups with exact state (threshold candidates, sequence groups with failures), by rule.', ['rule'], exactStats((e) => e.groups));
  mirrored(registry, 'secretwatch_exact_evictions_total', 'Groups whose exact state was forgotten because the table was full, by rule.', ['rule'], exactStats((e) => e.evictions));
  mirrored(registry, 'secretwatch_exact_approximate_total', 'Exact records started with events known only by sub-window (the recent-event log was too short), by rule.', ['rule'], exactStats((e) => e.approximate));
  mirrored(registry, 'secretwatch_exact_overflows_total', 'Exact records that dropped entries to their caps, by rule.', ['rule'], exactStats((e) => e.overflows));
  gauge(registry, 'secretwatch_throttle_keys', 'Throttle keys held, by rule.', ['rule'], ruleStats((s) => s.throttle_keys));
  mirrored(registry, 'secretwatch_throttle_evictions_total', 'Throttle keys evicted because the table was full, by rule.', ['rule'], ruleStats((s) => s.throttle_evictions));
  gauge(registry, 'secretwatch_detector_memory_bytes', 'Bytes of detection state, fixed by configuration.', [], () => [[{}, sources.detector().memoryBytes()]]);
  mirrored(registry, 'secretwatch_future_events_total', 'Events stamped too far ahead of the clock, not scored.', [], () => [[{}, sources.detector().futureEvents]]);
  const { durability } = sources;
  gauge(registry, 'secretwatch_wal_bytes', 'Bytes of write-ahead log on disk (events since the last snapshot).', [], () => [[{}, durability.wal.bytes]]);
  mirrored(registry, 'secretwatch_wal_records_total', 'Write-ahead log records (one per request) synced.', [], () => [[{}, durability.wal.stats.records]]);
  mirrored(registry, 'secretwatch_wal_syncs_total', 'Write-ahead log fdatasyncs (one per group of concurrent requests).', [], () => [[{}, durability.wal.stats.syncs]]);
  mirrored(registry, 'secretwatch_wal_write_errors_total', 'Write-ahead log writes or syncs that failed (their requests were refused).', [], () => [[{}, durability.wal.stats.write_errors]]);
  mirrored(registry, 'secretwatch_state_rebuilds_total', 'Times detector state was rebuilt from snapshot and log to undo a failed request.', [], () => [[{}, durability.stats.rebuilds]]);
  gauge(registry, 'secretwatch_state_file_bytes', 'Size of the detector state file last written or read.', [], () => [[{}, durability.stats.state_file_bytes]]);
  gauge(registry, 'secretwatch_event_lag_seconds', 'Wall-clock time minus event time of the newest event scored (delivery lag).', [], () => {
    const t = sources.lastEventTimeMs();
    return Number.isNaN(t) ? [] : [[{}, (sources.lastScoredAtMs() - t) / 1000]];
  });
}
