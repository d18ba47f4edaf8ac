import type { Alert } from '../../detectors/alerts/alert.js';
import type { Detector } from '../../detectors/detector.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';

/**
 * The detector's clock: fixed to one reading while a request or a log record is scored, so the
 * future-time check and `observed_time` of a replayed record decide as they did the first time.
 */
export class RequestClock {
  private fixedMs: number | undefined;

  constructor(private readonly wall: () => number) {}

  readonly read = (): number => this.fixedMs ?? this.wall();

  now(): number {
    return this.wall();
  }

  async duringAsync<T>(ms: number, work: () => Promise<T>): Promise<T> {
    this.fixedMs = ms;
    try {
      return await work();
    } finally {
      this.fixedMs = undefined;
    }
  }

  during<T>(ms: number, work: () => T): T {
    this.fixedMs = ms;
    try {
      return work();
    } finally {
      this.fixedMs = undefined;
    }
  }
}

export function scoreAll(detector: Detector, events: readonly SecretAccessEvent[]): Alert[] {
  const alerts: Alert[] = [];
  for (const event of events) {
    const raised = detector.process(event);
    if (raised.length > 0) alerts.push(...raised);
  }
  return alerts;
}

/** The same, handing the event loop back through `pause` between events (a request being scored live). */
export async function scoreYielding(detector: Detector, events: readonly SecretAccessEvent[], pause: () => Promise<void>): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const event of events) {
    await pause();
    const raised = detector.process(event);
    if (raised.length > 0) alerts.push(...raised);
  }
  return alerts;
}

export const noPause = (): Promise<void> => Promise.resolve();
