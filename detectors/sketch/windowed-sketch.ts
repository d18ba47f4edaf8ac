import type { WindowOptions } from './types.js';
import { WindowClock } from './window-clock.js';

/**
 * What the windowed sketches (count-min, Bloom, distinct counter) share: their event-time clock,
 * the counts of events they refused, and the getters over both. Each sketch adds its tables.
 */
export abstract class WindowedSketch {
  readonly clock: WindowClock;
  /** Events refused because their sub-window was already recycled. */
  protected late = 0;
  /** Events refused because their time was not a finite number. */
  protected invalid = 0;

  protected constructor(options: WindowOptions) {
    this.clock = new WindowClock(options);
  }

  get latestTimeMs(): number {
    return this.clock.latestTimeMs;
  }

  get watermarkMs(): number {
    return this.clock.watermarkMs;
  }

  /** Events refused because their sub-window was already recycled (report as `late_dropped`). */
  get lateDropped(): number {
    return this.late;
  }

  /** Events refused because their time was not a finite number. */
  get invalidTimes(): number {
    return this.invalid;
  }

  /** Counts an event `clock.admit` refused (-1: too late, -2: not a time) and names why. */
  protected reject(code: number): 'late_dropped' | 'invalid_time' {
    if (code === -1) {
      this.late++;
      return 'late_dropped';
    }
    this.invalid++;
    return 'invalid_time';
  }
}

/** Header bytes of a windowed kind with one f64 total per slot: fixed fields, clock block, totals. */
export function headerWithSlotTotals(fixedHeader: number, slots: number): number {
  return fixedHeader + WindowClock.stateBytes(slots) + 8 * slots;
}
