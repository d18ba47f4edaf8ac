import { join } from 'node:path';
import type { Alert } from '../../detectors/alerts/alert.js';
import { Detector } from '../../detectors/detector.js';
import type { LoadedRule } from '../../detectors/ruleset/load-rules.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { isSecretwatchError } from '../errors/codes.js';
import { nodeFiles, type FileLayer } from '../fs/file-layer.js';
import { consumerOverloaded } from '../receivers/consumer.js';
import { loadDetectorState, saveDetectorState } from '../state/detector-state-file.js';
import { restoreDetector } from '../state/restore-detector.js';
import type { WalRecord } from '../state/wal/wal-record.js';
import { WriteAheadLog } from '../state/wal/write-ahead-log.js';
import type { Logger } from '../telemetry/logger.js';
import { noPause, RequestClock, scoreAll, scoreYielding } from './request-clock.js';

export interface DurableDetectorOptions {
  rules: readonly LoadedRule[];
  allowedLatenessMs: number;
  stateDir: string;
  log: Logger;
  clock?: () => number;
  files?: FileLayer;
  /** Log bytes past which a snapshot is taken early; at twice this, requests are refused (429). Default 256 MiB. */
  walMaxBytes?: number;
}

const DEFAULT_WAL_MAX_BYTES = 268_435_456;

/** Counters for metrics. */
export interface DurabilityStats {
  /** Times the detector was rebuilt from the snapshot and the log after a failed request. */
  rebuilds: number;
  /** Records and events replayed at start. */
  replayed_records: number;
  replayed_events: number;
  /** Size of the last state file written or read. */
  state_file_bytes: number;
}

/**
 * The detector of `run`, made durable: every request either takes full effect or none.
 *
 * Requests are scored by one caller at a time (the sidecar's serial queue; scoring hands the event
 * loop back between events, but two requests never interleave), then committed in scoring order:
 * its alerts are appended to the outbox (fdatasync'd), then its events to the write-ahead log
 * (fdatasync'd, one write for all requests queued meanwhile); only then is it answered. Commits
 * overlap the next request's scoring. Requests without alerts, nearly all of them, cost one shared
 * fdatasync.
 *
 * When any step fails (outbox full, disk error, failed sync), that request and every request scored
 * after it (their state included it) are refused, and the detector is rebuilt from the last
 * snapshot plus the synced log: the refused requests leave no trace in detector state, throttles
 * included, and the Collector's retry is scored as if the first attempt had never happened.
 * Alerts already in the outbox when the log write failed stay there; the retry raises them again
 * with the same `secretwatch.alert.id`, a duplicate the backend drops, never a loss.
 *
 * Snapshots (`save`) are taken between requests, so a snapshot holds exactly the log records up to
 * `walThrough`; the log then moves to a new file and older files are deleted once the snapshot is
 * on disk. At start, the log records after the snapshot are replayed onto it, with the clock
 * reading each was first scored at; alerts they raise again were made durable before their
 * request was answered, so they are not queued twice.
 */
export class DurableDetector {
  readonly stats: DurabilityStats = { rebuilds: 0, replayed_records: 0, replayed_events: 0, state_file_bytes: 0 };
  private generation = 0;
  /** Settles when the last request scored has queued its log record (or failed). */
  private commitTail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private paused: Promise<void> | undefined;
  private saving: Promise<void> | undefined;
  private rebuilding: Promise<void> | undefined;
  /** Why requests are refused until the rebuild completes; undefined when healthy. */
  private broken: string | undefined;
  private lastEarlySaveMs = Number.NEGATIVE_INFINITY;
  private readonly files: FileLayer;

  private constructor(
    private readonly options: DurableDetectorOptions,
    private readonly clock: RequestClock,
    private detector: Detector,
    readonly wal: WriteAheadLog,
  ) {
    this.files = options.files ?? nodeFiles;
  }

  /** Loads the snapshot, opens the log and replays it: the state of the last acknowledged request. */
  static async open(options: DurableDetectorOptions): Promise<DurableDetector> {
    const clock = new RequestClock(options.clock ?? Date.now);
    const { detector, wal, replayed, tornBytes, stateBytes } = await DurableDetector.load(options, clock, true);
    const durable = new DurableDetector(options, clock, detector, wal);
    durable.stats.replayed_records = replayed.records;
    durable.stats.replayed_events = replayed.events;
    durable.stats.state_file_bytes = stateBytes;
    if (replayed.records > 0 || tornBytes > 0) {
      options.log.info({ wal_dir: wal.dir, records: replayed.records, events: replayed.events, torn_bytes: tornBytes }, 'replayed the write-ahead log onto the detector state');
    }
    return durable;
  }

  /** The detector as of the last request scored. */
  get current(): Detector {
    return this.detector;
  }

  /** Why requests are refused now (a failed write is being undone, the log is over its bound), if they are. */
  problem(): string | undefined {
    return this.broken ?? this.wal.unusable?.message ?? this.walOverBound();
  }

  private get walMaxBytes(): number {
    return this.options.walMaxBytes ?? DEFAULT_WAL_MAX_BYTES;
  }

  /** The log only outgrows twice its bound when snapshots fail: refuse rather than grow without end. */
  private walOverBound(): string | undefined {
    const bytes = this.wal.bytes;
    if (bytes <= 2 * this.walMaxBytes) return undefined;
    return `write-ahead log over its bound (${bytes} bytes, state.wal_max_bytes ${this.walMaxBytes}): detector state cannot be saved`;
  }

  /**
   * Scores one request's events (handing the event loop back through `pause` between events), then
   * returns `committed`, which settles once the request's effect is durable: its alerts in the
   * outbox and its events in the log. The caller serializes scoring (one request at a time) but not
   * the commits, so the next request is scored while this one's fdatasync runs and their log
   * records share one write.
   *
   * Refusals (thrown, or `committed` rejected): SW_RECEIVER_OVERLOADED (429) when the outbox is
   * full, while an earlier failure is undone, when this request was scored after a request that
   * failed, or when the log is over its bound; the write error (503) when its own write or sync
   * failed. Either way nothing of the request remains in detector state.
   */
  async score(
    events: readonly SecretAccessEvent[],
    appendAlerts: (alerts: Alert[]) => Promise<void>,
    pause: () => Promise<void> = noPause,
  ): Promise<{ committed: Promise<readonly Alert[]> }> {
    while (this.paused !== undefined) await this.paused;
    if (this.wal.unusable !== undefined) throw this.wal.unusable;
    // A rebuild takes moments: retry later (429), like a full outbox.
    if (this.broken !== undefined) throw consumerOverloaded(`detector state is not accepting requests: ${this.broken}`);
    const overBound = this.walOverBound();
    if (overBound !== undefined) {
      this.saveEarly();
      throw consumerOverloaded(overBound);
    }
    const generation = this.generation;
    const clockMs = this.clock.now();
    this.inFlight++;
    let alerts: Alert[];
    try {
      const detector = this.detector;
      alerts = await this.clock.duringAsync(clockMs, () => scoreYielding(detector, events, pause));
    } catch (err) {
      this.settledOne();
      this.fail(err);
      throw err;
    }
    const committed = this.commit(generation, clockMs, events, alerts, appendAlerts);
    committed.catch(() => undefined);
    return { committed };
  }

  /** Queues the request's outbox append and log record behind those scored before it; settles when durable. */
  private async commit(
    generation: number,
    clockMs: number,
    events: readonly SecretAccessEvent[],
    alerts: Alert[],
    appendAlerts: (alerts: Alert[]) => Promise<void>,
  ): Promise<readonly Alert[]> {
    try {
      const previous = this.commitTail;
      const queued = (async () => {
        await previous;
        if (alerts.length > 0) await appendAlerts(alerts);
        if (generation !== this.generation) throw consumerOverloaded('an earlier request failed: this one was scored on a state that is being undone');
        return { durable: this.wal.append(clockMs, events) };
      })();
      this.commitTail = queued.then(() => undefined);
      this.commitTail.catch(() => undefined);
      const { durable } = await queued;
      await durable;
      if (this.wal.bytes > this.walMaxBytes) this.saveEarly();
      return alerts;
    } catch (err) {
      this.fail(err);
      if (isSecretwatchError(err) && err.code === 'SW_OUTBOX_FULL') throw consumerOverloaded(`the alert outbox is full: ${err.message}`);
      throw err;
    } finally {
      this.settledOne();
    }
  }

  private settledOne(): void {
    if (--this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * Saves a snapshot that includes exactly the log records up to now: scoring pauses while
   * requests in flight finish, the snapshot is taken and the log moves to a new file; the file is
   * then written (compressed, off the event loop) and the log files it includes are deleted.
   */
  save(): Promise<void> {
    this.saving ??= this.saveNow().finally(() => (this.saving = undefined));
    return this.saving;
  }

  /** A snapshot before `save_interval` because the log passed `walMaxBytes`: bounds its size and the replay at start. */
  private saveEarly(): void {
    // At most one attempt every 10 s: a snapshot is costly, and a failing disk fails them all.
    const now = this.clock.now();
    if (this.saving !== undefined || now - this.lastEarlySaveMs < 10_000) return;
    this.lastEarlySaveMs = now;
    this.save().catch((err: unknown) => this.options.log.error({ err: (err as Error).message, wal_bytes: this.wal.bytes }, 'could not save detector state'));
  }

  /** Waits for requests in flight, a save and a rebuild in progress; then closes the log. */
  async close(): Promise<void> {
    await this.whenIdle();
    await this.saving;
    await this.rebuilding;
    await this.wal.close();
  }

  private async saveNow(): Promise<void> {
    let resume!: () => void;
    this.paused = new Promise<void>((r) => (resume = r));
    let snapshot: ReturnType<Detector['snapshot']>;
    let walThrough: number;
    try {
      await this.whenIdle();
      await this.wal.settle();
      if (this.problem() !== undefined) return;
      snapshot = this.detector.snapshot();
      walThrough = this.wal.lastSeq;
      await this.wal.rotate();
    } finally {
      this.paused = undefined;
      resume();
    }
    const { bytes } = await saveDetectorState(this.options.stateDir, snapshot, this.clock.now(), { walThrough, files: this.files });
    this.stats.state_file_bytes = bytes;
    await this.wal.dropThrough(walThrough);
  }

  private fail(err: unknown): void {
    if (this.broken !== undefined) return;
    this.broken = `undoing a failed request (${(err as Error).message})`;
    this.generation++;
    this.stats.rebuilds++;
    this.rebuilding = this.rebuild().finally(() => (this.rebuilding = undefined));
  }

  /** Snapshot + synced log, as at start, once the requests scored on the undone state have failed. */
  private async rebuild(): Promise<void> {
    try {
      await this.whenIdle();
      await this.saving?.catch(() => undefined);
      await this.wal.settle();
      const { detector, replayed } = await DurableDetector.load(this.options, this.clock, false, this.wal);
      this.detector = detector;
      this.commitTail = Promise.resolve();
      this.wal.reset();
      this.broken = undefined;
      this.options.log.warn({ records: replayed.records, events: replayed.events }, 'detector state rebuilt after a failed request; the request was refused and left no trace');
    } catch (err) {
      this.broken = `detector state could not be rebuilt after a failed request: ${(err as Error).message}`;
      this.options.log.error({ err: (err as Error).message }, 'detector state could not be rebuilt; restart secretwatch');
    }
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** A detector restored from the state file with the log replayed onto it. */
  private static async load(
    options: DurableDetectorOptions,
    clock: RequestClock,
    atStart: boolean,
    wal?: WriteAheadLog,
  ): Promise<{ detector: Detector; wal: WriteAheadLog; replayed: { records: number; events: number }; tornBytes: number; stateBytes: number }> {
    const detector = new Detector({ rules: options.rules, allowedLatenessMs: options.allowedLatenessMs, clock: clock.read });
    const saved = await loadDetectorState(options.stateDir);
    if (saved !== undefined) {
      const { restored, fresh } = restoreDetector(detector, saved);
      if (atStart) {
        options.log.info({ state_file: saved.path, bytes: saved.bytes, rules: restored }, 'restored detector state');
        for (const f of fresh) options.log.warn({ state_file: saved.path, rule: f.id, reason: f.reason }, 'rule starts with fresh state');
      }
    }
    const walThrough = saved?.walThrough ?? null;
    // Alerts raised again here were made durable before their request was answered: dropped.
    const replay = (record: WalRecord): void => void clock.during(record.clockMs, () => scoreAll(detector, record.events));
    let replayed: { records: number; events: number };
    let tornBytes = 0;
    if (wal === undefined) {
      const opened = await WriteAheadLog.open(join(options.stateDir, 'wal'), walThrough, options.files ?? nodeFiles, replay);
      wal = opened.wal;
      replayed = opened.replayed;
      tornBytes = opened.tornBytes;
    } else replayed = await wal.replaySynced(walThrough, replay);
    return { detector, wal, replayed, tornBytes, stateBytes: saved?.bytes ?? 0 };
  }
}
