/**
 * Time for the sender: the clock and the timers it waits on, injectable so tests can run the
 * backoff schedule without waiting for it.
 */
export interface Scheduler {
  /** Epoch milliseconds. */
  now(): number;
  setTimer(callback: () => void, delayMillis: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer: (callback, delayMillis) => setTimeout(callback, delayMillis),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
