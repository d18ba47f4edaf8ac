import { Registry } from 'prom-client';
import { isSecretwatchError } from '../errors/codes.js';
import { DeadLetterFile } from '../export/dead-letter/dead-letter-file.js';
import { registerExportMetrics } from '../export/export-metrics.js';
import { EventForwarder } from '../export/forwarder/event-forwarder.js';
import { Outbox } from '../export/outbox/outbox.js';
import { AlertSender } from '../export/sender/alert-sender.js';
import { ConsoleAlertSink } from '../export/sinks/console-sink.js';
import { OtlpAlertSink } from '../export/sinks/otlp-sink.js';
import type { AlertSink } from '../export/sinks/alert-sink.js';
import { consumerOverloaded, type IngestBatch } from '../receivers/consumer.js';
import { Intake } from '../receivers/intake.js';
import { OtlpGrpcReceiver } from '../receivers/otlp-grpc/receiver.js';
import { OtlpHttpReceiver } from '../receivers/otlp-http/receiver.js';
import type { Receiver } from '../receivers/receiver.js';
import { nodeFiles, type FileLayer } from '../fs/file-layer.js';
import type { Logger } from '../telemetry/logger.js';
import { ProblemLog } from '../telemetry/problem-log.js';
import { TimeSlice } from '../receivers/time-slice.js';
import { DurableDetector } from './durable-detector.js';
import { HealthServer } from './health-server.js';
import { registerSidecarMetrics } from './metrics.js';
import { SerialQueue } from './serial-queue.js';
import type { RunSettings } from './settings.js';

/** The addresses the sidecar actually listens on (ports resolved when configured as 0). */
export interface ListeningAddresses {
  otlpHttpPort?: number;
  otlpGrpcPort?: number;
  httpPort: number;
}

/**
 * The long-running sidecar: OTLP receivers -> decoder -> detector -> durable outbox -> OTLP
 * exporter. A Collector's export request is answered only after the alerts it raised are on
 * disk, so an accepted request never loses an alert; when the outbox is full, requests get
 * 429 / RESOURCE_EXHAUSTED and the Collector retries instead of dropping.
 *
 * Lifecycle: `start()` brings up state, exporter, receivers, then the health endpoint reports
 * ready. `stop()` (SIGTERM) closes intake, lets requests in flight finish, saves the detector
 * state, sends what the exporter takes within the timeout, and leaves the rest in the outbox.
 */
export class Sidecar {
  readonly registry = new Registry();
  private durable: DurableDetector | undefined;
  private readonly receivers: Receiver[] = [];
  private readonly health: HealthServer;
  private outbox: Outbox | undefined;
  private deadLetter: DeadLetterFile | undefined;
  private sender: AlertSender | undefined;
  /** Rate-limited warn/error lines for delivery problems (one per problem per 30 s, with a count). */
  private readonly problems: ProblemLog;
  private forwarder: EventForwarder | undefined;
  private ready = false;
  private stopping: Promise<void> | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  private lastEventTimeMs = Number.NaN;
  private lastScoredAtMs = Number.NaN;
  /** Events scored, by `receiver|provider`: a handful of keys (2 receivers x 3 clouds). */
  private readonly eventsByReceiverProvider = new Map<string, number>();
  private readonly scoring = new SerialQueue();

  constructor(
    private readonly settings: RunSettings,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    /** Where state, log and outbox writes go: the real disk, or a test's observing layer. */
    private readonly files: FileLayer = nodeFiles,
  ) {
    this.health = new HealthServer(this.registry, () => this.readinessProblems());
    this.problems = new ProblemLog(log);
  }

  async start(): Promise<ListeningAddresses> {
    const s = this.settings;
    const durable = await DurableDetector.open({
      rules: s.rules,
      allowedLatenessMs: s.allowedLatenessMs,
      stateDir: s.stateDir,
      log: this.log,
      clock: this.clock,
      files: this.files,
      walMaxBytes: s.walMaxBytes,
    });
    this.durable = durable;
    this.outbox = await Outbox.open({
      dir: s.outboxDir,
      files: this.files,
      ...compact({ max_bytes: s.config.outbox.max_bytes, max_alerts: s.config.outbox.max_alerts }),
    });
    this.reportRecoveredOutbox(this.outbox);
    this.deadLetter = await DeadLetterFile.open(s.deadLetterFile, s.deadLetterMaxBytes, this.files);
    const sink: AlertSink = s.otlpExport !== undefined ? OtlpAlertSink.create(s.otlpExport.options) : new ConsoleAlertSink();
    this.sender = new AlertSender(this.outbox, sink, { ...s.config.exporter.retry, dead_letter: this.deadLetter, problems: this.problems });
    this.sender.start();
    if (s.forwardEvents !== undefined) {
      this.forwarder = EventForwarder.create({ ...s.forwardEvents.options, max_queue_size: s.config.forward_events.max_queue_size });
    }
    registerExportMetrics(this.registry, {
      outbox: this.outbox,
      sender: this.sender,
      deadLetter: this.deadLetter,
      ...(this.forwarder ? { forwarder: this.forwarder } : {}),
    });

    const deps = {
      consumer: (batch: IngestBatch) => this.consume(batch),
      // One intake for both receivers: the bounds are on their sum (the larger of the two settings).
      intake: new Intake(
        Math.max(s.otlpHttp?.max_records_in_flight ?? 0, s.otlpGrpc?.max_records_in_flight ?? 0, 1),
        Math.max(s.otlpHttp?.max_bytes_in_flight ?? 0, s.otlpGrpc?.max_bytes_in_flight ?? 0, 1),
      ),
      onError: (err: Error) => this.problems.warn('otlp_request_failed', { err: err.message }, 'OTLP request failed'),
    };
    const addresses: ListeningAddresses = { httpPort: 0 };
    if (s.otlpHttp !== undefined) {
      const receiver = new OtlpHttpReceiver(s.otlpHttp, deps);
      this.receivers.push(receiver);
      addresses.otlpHttpPort = await receiver.start();
      this.logReceiver(receiver.name, s.otlpHttp, addresses.otlpHttpPort);
    }
    if (s.otlpGrpc !== undefined) {
      const receiver = new OtlpGrpcReceiver(s.otlpGrpc, deps);
      this.receivers.push(receiver);
      addresses.otlpGrpcPort = await receiver.start();
      this.logReceiver(receiver.name, s.otlpGrpc, addresses.otlpGrpcPort);
    }
    registerSidecarMetrics(this.registry, {
      receivers: this.receivers,
      intake: deps.intake,
      detector: () => durable.current,
      durability: durable,
      lastEventTimeMs: () => this.lastEventTimeMs,
      lastScoredAtMs: () => this.lastScoredAtMs,
      eventsByReceiverProvider: () => this.eventsByReceiverProvider,
    });
    addresses.httpPort = await this.health.listen(s.httpEndpoint);
    // Saved between two requests' scoring, never in the middle of one.
    this.saveTimer = setInterval(() => void this.scoring.run(() => this.saveState()), s.saveIntervalMs);
    this.saveTimer.unref();
    this.ready = true;
    this.log.info(
      {
        otlp_http: s.otlpHttp !== undefined ? `${hostOf(s.otlpHttp.endpoint)}:${addresses.otlpHttpPort}` : 'off',
        otlp_grpc: s.otlpGrpc !== undefined ? `${hostOf(s.otlpGrpc.endpoint)}:${addresses.otlpGrpcPort}` : 'off',
        http: `${hostOf(s.httpEndpoint)}:${addresses.httpPort}`,
        alerts_to: s.otlpExport !== undefined ? `${s.otlpExport.resolved.protocol} ${s.otlpExport.resolved.url}` : 'stdout (JSON lines)',
        rules: durable.current.ruleIds().length,
        state_dir: s.stateDir,
      },
      'secretwatch is ready',
    );
    return addresses;
  }

  /** One line per receiver at start: where it listens and whether it requires a bearer token. */
  private logReceiver(name: string, config: { endpoint: string; bearer_token: string | undefined }, port: number | undefined): void {
    const requires = config.bearer_token !== undefined;
    const fields = { receiver: name, endpoint: `${hostOf(config.endpoint)}:${port ?? ''}`, bearer_token_required: requires };
    if (requires) this.log.info(fields, 'receiver requires a bearer token');
    else this.log.warn(fields, 'receiver accepts requests without a token (set bearer_token or SECRETWATCH_TOKEN to require one)');
  }

  /**
   * Scores one request's events; resolves once the alerts they raised are in the outbox and the
   * events in the write-ahead log. Requests are scored one at a time (`scoring`), each handing the
   * event loop back every few milliseconds; their commits overlap (one log fdatasync for several).
   * A rejection leaves no trace in detector state (durable-detector.ts).
   */
  private async consume(batch: IngestBatch): Promise<void> {
    const { committed } = await this.scoring.run(() => this.score(batch));
    await committed;
    // Only what was committed is counted and forwarded.
    for (const event of batch.events) {
      const key = `${batch.receiver}|${event.provider}`;
      this.eventsByReceiverProvider.set(key, (this.eventsByReceiverProvider.get(key) ?? 0) + 1);
      this.forwarder?.forward(event);
      if (!(event.time_ms <= this.lastEventTimeMs)) this.lastEventTimeMs = event.time_ms;
    }
    this.lastScoredAtMs = this.clock();
  }

  /** The part of a request that runs in `scoring`: the checks and the scoring; the commit goes on after. */
  private async score(batch: IngestBatch): Promise<{ committed: Promise<unknown> }> {
    const outbox = this.outbox;
    const durable = this.durable;
    if (outbox === undefined || durable === undefined || this.stopping !== undefined) throw consumerOverloaded('secretwatch is shutting down');
    if (!outbox.hasRoom()) {
      this.reportOutboxFull(outbox);
      throw consumerOverloaded('the alert outbox is full: the backend is not taking alerts');
    }
    const slice = new TimeSlice();
    return durable.score(
      batch.events,
      async (alerts) => {
        try {
          await outbox.append(alerts);
        } catch (err) {
          if (isSecretwatchError(err) && err.code === 'SW_OUTBOX_FULL') this.reportOutboxFull(outbox);
          else this.problems.error('outbox_write_failed', { dir: outbox.dir, err: (err as Error).message }, 'cannot write alerts to the outbox; the request fails');
          throw err;
        }
      },
      () => slice.pause(),
    );
  }

  private reportOutboxFull(outbox: Outbox): void {
    const depth = outbox.depth();
    this.problems.warn(
      'outbox_full',
      { dir: outbox.dir, outbox_alerts: depth.alerts, outbox_disk_bytes: depth.disk_bytes, oldest_age_seconds: Math.round(depth.oldest_age_ms / 1000) },
      'the alert outbox is full: receivers refuse requests (429 / RESOURCE_EXHAUSTED) until the backend takes alerts again',
    );
  }

  /** What recovery found wrong in the outbox files (each also a metric). */
  private reportRecoveredOutbox(outbox: Outbox): void {
    const { torn_lines, corrupt_lines, cursor_ahead, recovered } = outbox.stats;
    if (torn_lines > 0) this.log.warn({ dir: outbox.dir, lines: torn_lines }, 'outbox: an incomplete last line (a write cut by a crash) was cut off');
    if (corrupt_lines > 0) this.log.error({ dir: outbox.dir, lines: corrupt_lines }, 'outbox: damaged lines were skipped; those alerts cannot be sent');
    if (cursor_ahead > 0) {
      this.log.error(
        { dir: outbox.dir, ahead_by: cursor_ahead },
        'outbox: the acknowledgement cursor is past the newest alert in the outbox files (a cursor from another outbox, or files restored from an older copy); it is not trusted: the alerts on disk are sent again',
      );
    }
    if (recovered > 0) this.log.info({ dir: outbox.dir, alerts: recovered }, 'outbox: alerts from the previous run will be sent');
  }

  private readinessProblems(): string[] {
    if (this.stopping !== undefined) return ['shutting down'];
    if (!this.ready) return ['starting'];
    const problems: string[] = [];
    if (this.outbox !== undefined && !this.outbox.hasRoom()) problems.push('alert outbox full');
    const durability = this.durable?.problem();
    if (durability !== undefined) problems.push(durability);
    const degraded = this.exportDegradation();
    if (degraded !== undefined) problems.push(degraded);
    return problems;
  }

  /** "degraded: ..." once alert exports have been failing for `exporter.degraded_after`. */
  private exportDegradation(): string | undefined {
    const stats = this.sender?.stats;
    const since = stats?.failing_since_ms;
    if (stats === undefined || since === undefined) return undefined;
    const failingMs = this.clock() - since;
    if (failingMs < this.settings.degradedAfterMs) return undefined;
    return `degraded: alert export failing for ${Math.round(failingMs / 1000)}s (${stats.consecutive_failures} attempts; last error: ${stats.last_error ?? 'unknown'})`;
  }

  private async saveState(): Promise<void> {
    try {
      await this.durable?.save();
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'could not save detector state');
    }
  }

  /** Idempotent; safe before start. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const deadline = this.clock() + this.settings.shutdownTimeoutMs;
    this.log.info('stopping: closing intake');
    if (this.saveTimer !== undefined) clearInterval(this.saveTimer);
    await Promise.allSettled(this.receivers.map((r) => r.stop()));
    const tail = this.durable?.current.flush() ?? [];
    if (tail.length > 0 && this.outbox !== undefined) await this.outbox.append(tail);
    if (this.ready) await this.saveState();
    await this.durable?.close();
    await this.forwarder?.shutdown();
    await this.sender?.stop(Math.max(1000, deadline - this.clock()));
    await this.outbox?.close();
    await this.health.close();
    const depth = this.outbox?.depth();
    this.log.info({ outbox_alerts: depth?.alerts ?? 0 }, 'stopped');
  }
}

function hostOf(endpoint: string): string {
  const i = endpoint.lastIndexOf(':');
  return i === -1 ? endpoint : endpoint.slice(0, i);
}

/** Drops undefined values, for options objects under exactOptionalPropertyTypes-style APIs. */
function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
