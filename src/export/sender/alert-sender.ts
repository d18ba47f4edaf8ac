import { SecretwatchError } from '../../errors/codes.js';
import type { ProblemLog } from '../../telemetry/problem-log.js';
import type { DeadLetterLine } from '../dead-letter/dead-letter-file.js';
import type { Outbox } from '../outbox/outbox.js';
import type { OutboxEntry } from '../outbox/types.js';
import type { AlertSink, SinkResult } from '../sinks/alert-sink.js';
import type { PermanentFailure } from '../sinks/export-failure.js';
import { BACKOFF_DEFAULTS, backoffDelay, type BackoffOptions } from './backoff.js';
import { systemScheduler, type Scheduler } from './scheduler.js';
import { newSenderStats, type SenderStats } from './sender-stats.js';

export interface AlertSenderOptions extends Partial<BackoffOptions> {
  /** Most alerts per export request. */
  max_batch_alerts?: number;
  /** Most bytes of alerts per export request (servers cap request size; gRPC's default is 4 MiB). */
  max_batch_bytes?: number;
  scheduler?: Scheduler;
  /** [0, 1), for the jitter. */
  random?: () => number;
  /**
   * Where alerts the backend refused for good go (see DeadLetterFile). Without it they are
   * dropped, counted in `dead_letter_dropped` and logged: never retried for ever.
   */
  dead_letter?: { readonly path: string; add(line: DeadLetterLine): Promise<'stored' | 'full'> };
  /** Warn/error lines for failures, dead letters and damaged outbox lines (rate-limited). */
  problems?: ProblemLog;
}

export const SENDER_DEFAULTS = {
  max_batch_alerts: 512,
  max_batch_bytes: 1024 * 1024,
  stop_timeout_millis: 5_000,
} as const;

type State = 'idle' | 'running' | 'stopping' | 'stopped';

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new SecretwatchError('SW_CONFIG_INVALID', `sender.${name} must be a number above 0 (got ${String(value)})`);
  return v;
}

/**
 * Moves alerts from the outbox to a sink, one batch at a time, oldest first:
 * peek a batch -> send it -> wait for the sink's result -> acknowledge only on success.
 * A failed batch stays at the head of the outbox and is sent again after an exponential backoff
 * with jitter, and order within the outbox is kept (one batch in flight).
 *
 * A batch the backend refuses for good (a permanent failure: HTTP 400, 413...) is not retried as
 * is, since it would block every alert behind it: it is split in halves and sent again at once
 * until the refused alert is alone, and that alert goes to the dead-letter file with the reason
 * and is acknowledged, so the queue moves on. Alerts are only ever removed from the outbox after
 * the backend or the dead-letter file has them.
 *
 * Lifecycle (the Collector's contract): `start()` returns at once and is idempotent; `stop()` is
 * idempotent, safe before `start()`, keeps sending what it can until the outbox is empty, a send
 * fails, or `timeout` passes, and leaves the rest in the outbox for the next run. A send still in
 * flight at the deadline is abandoned unacknowledged (a late success means one duplicate later).
 * The sender shuts the sink down on stop; the outbox belongs to the caller, who closes it after.
 */
export class AlertSender {
  readonly stats: SenderStats = newSenderStats();
  private readonly maxBatchAlerts: number;
  private readonly maxBatchBytes: number;
  private readonly backoff: BackoffOptions;
  private readonly scheduler: Scheduler;
  private readonly random: () => number;
  private readonly deadLetter: AlertSenderOptions['dead_letter'];
  private readonly problems: ProblemLog | undefined;
  /** Most alerts in the next batch: halved after a permanent refusal, to isolate the refused alert. */
  private batchLimit: number;
  /** The last sequence number of the refused batch: the limit stays low until the queue is past it. */
  private suspectThrough = -1;
  private state: State = 'idle';
  private loop: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Set by every outbox append, so one landing while the loop looks away is not missed. */
  private appended = false;
  private wakeIdle: (() => void) | undefined;
  private wakeSleep: (() => void) | undefined;
  private abandon: () => void = () => undefined;
  private readonly abandoned: Promise<'abandoned'>;

  constructor(
    private readonly outbox: Outbox,
    private readonly sink: AlertSink,
    options: AlertSenderOptions = {},
  ) {
    this.maxBatchAlerts = Math.floor(positive('max_batch_alerts', options.max_batch_alerts, SENDER_DEFAULTS.max_batch_alerts));
    this.maxBatchBytes = positive('max_batch_bytes', options.max_batch_bytes, SENDER_DEFAULTS.max_batch_bytes);
    this.backoff = {
      initial_backoff_millis: positive('initial_backoff_millis', options.initial_backoff_millis, BACKOFF_DEFAULTS.initial_backoff_millis),
      max_backoff_millis: positive('max_backoff_millis', options.max_backoff_millis, BACKOFF_DEFAULTS.max_backoff_millis),
      backoff_multiplier: positive('backoff_multiplier', options.backoff_multiplier, BACKOFF_DEFAULTS.backoff_multiplier),
      jitter: options.jitter ?? BACKOFF_DEFAULTS.jitter,
    };
    if (!(this.backoff.jitter >= 0 && this.backoff.jitter < 1)) {
      throw new SecretwatchError('SW_CONFIG_INVALID', `sender.jitter must be at least 0 and below 1 (got ${String(options.jitter)})`);
    }
    this.scheduler = options.scheduler ?? systemScheduler;
    this.random = options.random ?? Math.random;
    this.deadLetter = options.dead_letter;
    this.problems = options.problems;
    this.batchLimit = this.maxBatchAlerts;
    this.abandoned = new Promise((resolve) => (this.abandon = () => resolve('abandoned')));
  }

  get sinkName(): string {
    return this.sink.name;
  }

  start(): void {
    if (this.state === 'running') return;
    if (this.state !== 'idle') throw new SecretwatchError('SW_SENDER_STATE', 'the alert sender cannot start again after stop()');
    this.state = 'running';
    this.unsubscribe = this.outbox.onAppend(() => {
      this.appended = true;
      this.wakeIdle?.();
    });
    this.appended = true;
    this.loop = this.run();
  }

  /** Flushes for at most `timeoutMillis`, then stops and shuts the sink down. Idempotent. */
  stop(timeoutMillis: number = SENDER_DEFAULTS.stop_timeout_millis): Promise<void> {
    this.stopping ??= this.shutdown(timeoutMillis);
    return this.stopping;
  }

  private async shutdown(timeoutMillis: number): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      await this.sink.shutdown().catch(() => undefined);
      return;
    }
    this.state = 'stopping';
    const deadline = this.scheduler.now() + Math.max(0, timeoutMillis);
    const timer = this.scheduler.setTimer(() => this.abandon(), Math.max(0, timeoutMillis));
    // A backoff wait ends now: one more attempt is made at once (flush what is possible).
    this.wakeSleep?.();
    this.wakeIdle?.();
    await this.loop;
    this.scheduler.clearTimer(timer);
    this.unsubscribe?.();
    this.state = 'stopped';
    const left = deadline - this.scheduler.now();
    const closing = this.sink.shutdown().catch(() => undefined);
    // Past the deadline the sink finishes closing in the background (an exporter waits for its
    // in-flight request); stop() does not wait for it.
    if (left > 0) await Promise.race([closing, this.sleepFor(left, false)]);
  }

  private async run(): Promise<void> {
    let failuresInARow = 0;
    while (this.state === 'running' || this.state === 'stopping') {
      try {
        this.appended = false;
        const damagedBefore = this.outbox.stats.corrupt_lines;
        const batch = await this.outbox.peek(this.batchLimit, this.maxBatchBytes);
        this.reportDamagedLines(damagedBefore);
        if (batch.length === 0) {
          if (this.state === 'stopping') return;
          if (!this.appended) await this.waitForAppend();
          continue;
        }
        const result = await this.deliver(batch);
        if (result === 'abandoned') return;
        if (result.ok) {
          failuresInARow = 0;
          await this.acknowledge(batch);
          continue;
        }
        // A permanent refusal is settled at once (split, or dead-lettered): no backoff, the
        // backend is answering. Only a failed dead-letter write waits and tries again.
        this.recordFailure(result.error, result.permanent === undefined);
        if (result.permanent !== undefined && (await this.settlePermanent(batch, result.permanent))) continue;
      } catch (err) {
        this.recordFailure(err);
      }
      failuresInARow++;
      // While stopping, one failure ends the flush: what is left stays in the outbox.
      if (this.state !== 'running') return;
      const delay = backoffDelay(failuresInARow, this.backoff, this.random);
      this.stats.last_backoff_ms = delay;
      this.problems?.warn(
        'alert_export_failed',
        { sink: this.sink.name, err: this.stats.last_error, retry_in_ms: delay, consecutive_failures: this.stats.consecutive_failures },
        'alert export failed; the alerts stay in the outbox and are sent again after the delay',
      );
      await this.sleepFor(delay, true);
      this.stats.retries++;
    }
  }

  /**
   * A batch of several alerts is split (the next attempts send at most half of it, until the queue
   * is past it); a single alert goes to the dead-letter file and is acknowledged. False when the
   * dead-letter write failed: the alert stays at the head of the outbox and is tried again.
   */
  private async settlePermanent(batch: readonly OutboxEntry[], failure: PermanentFailure): Promise<boolean> {
    this.stats.permanent_failures++;
    if (batch.length > 1) {
      this.batchLimit = Math.ceil(batch.length / 2);
      this.suspectThrough = Math.max(this.suspectThrough, (batch[batch.length - 1] as OutboxEntry).seq);
      return true;
    }
    const entry = batch[0] as OutboxEntry;
    const fields = {
      sink: this.sink.name,
      reason: failure.reason,
      detail: failure.detail,
      alert_id: entry.alert.attributes['secretwatch.alert.id'],
      rule: entry.alert.attributes['security_rule.name'],
      outbox_seq: entry.seq,
    };
    let outcome: 'stored' | 'full' | 'off' = 'off';
    if (this.deadLetter !== undefined) {
      try {
        outcome = await this.deadLetter.add({
          dead_lettered_at: new Date(this.scheduler.now()).toISOString(),
          reason: failure.reason,
          detail: failure.detail,
          sink: this.sink.name,
          outbox_seq: entry.seq,
          appended_at: new Date(entry.appended_at).toISOString(),
          alert: entry.alert,
        });
      } catch (err) {
        this.recordFailure(err);
        this.problems?.error('dead_letter_write_failed', { ...fields, err: (err as Error).message }, 'cannot write a refused alert to the dead-letter file; it stays in the outbox');
        return false;
      }
    }
    if (outcome === 'stored') {
      bump(this.stats.dead_lettered, failure.reason);
      this.problems?.error(
        'alert_dead_lettered',
        { ...fields, dead_letter_file: this.deadLetter?.path },
        'the backend refused an alert for good; it was moved to the dead-letter file',
      );
    } else {
      bump(this.stats.dead_letter_dropped, failure.reason);
      this.problems?.error(
        'alert_dead_letter_dropped',
        { ...fields, dead_letter_file: this.deadLetter?.path ?? 'off' },
        outcome === 'full' ? 'the backend refused an alert for good and the dead-letter file is full; the alert is dropped' : 'the backend refused an alert for good and no dead-letter file is set; the alert is dropped',
      );
    }
    // The queue moved on: the outbox is not stuck (see `failing_since_ms`).
    this.stats.failing_since_ms = undefined;
    await this.release(batch);
    return true;
  }

  /** Says when peek skipped damaged outbox lines (they cannot be sent; counted by the outbox). */
  private reportDamagedLines(before: number): void {
    const damaged = this.outbox.stats.corrupt_lines - before;
    if (damaged > 0) {
      this.problems?.error('outbox_damaged_lines', { dir: this.outbox.dir, lines: damaged }, 'damaged outbox lines were skipped; those alerts cannot be sent');
    }
  }

  private async deliver(batch: readonly OutboxEntry[]): Promise<SinkResult | 'abandoned'> {
    this.stats.in_flight = batch.length;
    try {
      return await Promise.race([this.sink.send(batch.map((e) => e.alert)), this.abandoned]);
    } finally {
      this.stats.in_flight = 0;
    }
  }

  private async acknowledge(batch: readonly OutboxEntry[]): Promise<void> {
    this.stats.batches_sent++;
    this.stats.alerts_sent += batch.length;
    this.stats.consecutive_failures = 0;
    this.stats.failing_since_ms = undefined;
    this.stats.last_success_at_ms = this.scheduler.now();
    await this.release(batch);
  }

  /** Lets go of delivered (or dead-lettered) alerts; past the refused batch, batches grow back to full size. */
  private async release(batch: readonly OutboxEntry[]): Promise<void> {
    if ((batch[batch.length - 1] as OutboxEntry).seq >= this.suspectThrough) this.batchLimit = this.maxBatchAlerts;
    try {
      await this.outbox.ack(batch.map((e) => e.seq));
    } catch (err) {
      // The acknowledgement holds in memory; only its durable copy failed (a restart may re-send
      // this batch, which the backend de-duplicates). Reported, not retried as a send failure.
      this.stats.last_error = `acknowledge: ${(err as Error).message}`;
      this.stats.last_error_at_ms = this.scheduler.now();
    }
  }

  /** `stuck`: the alerts stay at the head of the outbox and wait (every failure but a permanent refusal). */
  private recordFailure(err: unknown, stuck = true): void {
    this.stats.failures++;
    this.stats.consecutive_failures++;
    if (stuck) this.stats.failing_since_ms ??= this.scheduler.now();
    this.stats.last_error = err instanceof Error ? err.message : String(err);
    this.stats.last_error_at_ms = this.scheduler.now();
  }

  private waitForAppend(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeIdle = () => {
        this.wakeIdle = undefined;
        resolve();
      };
    });
  }

  /** Waits `ms`; `stoppable` waits end early when stop() is called. */
  private sleepFor(ms: number, stoppable: boolean): Promise<void> {
    return new Promise((resolve) => {
      let handle: unknown;
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        if (stoppable) this.wakeSleep = undefined;
        if (handle !== undefined) this.scheduler.clearTimer(handle);
        resolve();
      };
      if (stoppable) this.wakeSleep = done;
      handle = this.scheduler.setTimer(done, ms);
    });
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
