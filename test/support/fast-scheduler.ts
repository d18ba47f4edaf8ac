import type { Scheduler } from '../../src/export/sender/scheduler.js';

/**
 * A scheduler that records every delay the sender asks for and waits at most `maxRealMs` of real
 * time, so backoff schedules of minutes run in milliseconds.
 */
export class FastScheduler implements Scheduler {
  readonly delays: number[] = [];

  constructor(private readonly maxRealMs = 20) {}

  now(): number {
    return Date.now();
  }

  setTimer(callback: () => void, delayMillis: number): unknown {
    this.delays.push(delayMillis);
    return setTimeout(callback, Math.min(delayMillis, this.maxRealMs));
  }

  clearTimer(handle: unknown): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  }
}
