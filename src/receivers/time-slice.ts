import { setImmediate as nextTurn } from 'node:timers/promises';

/** Longest stretch of decoding work before the event loop gets a turn (health probes, other requests). */
export const SLICE_MS = 5;

/**
 * Cooperative yielding for long decoding work: `pause()` is free while the current stretch is
 * short, and hands the event loop back (setImmediate: timers and sockets run) once it passed
 * `sliceMs`. Any await in between (an inflation on the thread pool) also starts a new stretch
 * when the caller calls `resumed()`.
 */
export class TimeSlice {
  private since = performance.now();

  constructor(private readonly sliceMs = SLICE_MS) {}

  resumed(): void {
    this.since = performance.now();
  }

  async pause(): Promise<void> {
    if (performance.now() - this.since < this.sliceMs) return;
    await nextTurn();
    this.since = performance.now();
  }
}
