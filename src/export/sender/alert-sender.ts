import { SecretwatchError } from '../../errors/codes.js';
import type { Outbox } from '../outbox/outbox.js';
import type { OutboxEntry } from '../outbox/types.js';
import type { AlertSink, SinkResult } from '../sinks/alert-sink.js';
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
 * with jitter; nothing is ever dropped, and order within the outbox is kept (one batch in flight).
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
        const batch = await this.outbox.peek(this.maxBatchAlerts, this.maxBatchBytes);
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
        this.recordFailure(result.error);
      } catch (err) {
        this.recordFailure(err);
      }
      failuresInARow++;
      // While stopping, one failure ends the flush: what is left stays in the outbox.
      if (this.state !== 'running') return;
      const delay = backoffDelay(failuresInARow, this.backoff, this.random);
      this.stats.last_backoff_ms = delay;
      await this.sleepFor(delay, true);
      this.stats.retries++;
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
    this.stats.last_success_at_ms = this.scheduler.now();
    try {
      await this.outbox.ack(batch.map((e) => e.seq));
    } catch (err) {
      // The acknowledgement holds in memory; only its durable copy failed (a restart may re-send
      // this batch, which the backend de-duplicates). Reported, not retried as a send failure.
      this.stats.last_error = `acknowledge: ${(err as Error).message}`;
      this.stats.last_error_at_ms = this.scheduler.now();
    }
  }

  private recordFailure(err: unknown): void {
    this.stats.failures++;
    this.stats.consecutive_failures++;
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
