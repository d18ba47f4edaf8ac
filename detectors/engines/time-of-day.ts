import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import { configFingerprint, decodeEngineState, encodeEngineState } from './engine-state.js';

export type TimeOfDaySpec = Extract<EngineSpec, { type: 'time_of_day' }>;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * Fires for events outside working hours (UTC): before `start` or from `end` on, or on a day off.
 * `[start, end)` with start > end spans midnight (`[22, 6]`: a night shift works 22:00-06:00);
 * start = end means no working hours at all. Stateless: nothing to forget, nothing late, every
 * event is scored whatever its delay.
 */
export class TimeOfDayEngine implements Engine {
  private readonly start: number;
  private readonly end: number;
  private readonly daysOff: boolean[];
  private readonly fingerprint: number;

  constructor(spec: TimeOfDaySpec) {
    [this.start, this.end] = spec.working_hours_utc;
    this.daysOff = DAY_NAMES.map((_, d) => spec.days_off.includes(d));
    this.fingerprint = configFingerprint(['time_of_day']);
  }

  /** True when `hour` is inside working hours. */
  private working(hour: number): boolean {
    const { start, end } = this;
    return start < end ? hour >= start && hour < end : start > end ? hour >= start || hour < end : false;
  }

  observe(event: SecretAccessEvent): Finding | undefined {
    const t = event.time_ms;
    if (!Number.isFinite(t)) return undefined;
    const day = Math.floor(t / DAY_MS);
    const msOfDay = t - day * DAY_MS;
    const hour = Math.floor(msOfDay / HOUR_MS);
    // 1970-01-01 was a Thursday (4).
    const weekday = (((day + 4) % 7) + 7) % 7;
    const dayOff = this.daysOff[weekday] === true;
    if (!dayOff && this.working(hour)) return undefined;
    const minute = Math.floor((msOfDay % HOUR_MS) / 60_000);
    const clock = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} UTC`;
    const why = dayOff ? `on a ${DAY_NAMES[weekday]}, a day off` : `outside working hours (${this.start}:00-${this.end}:00 UTC)`;
    return {
      event,
      group: {},
      summary: `accessed a secret at ${clock} ${why}`,
      measures: { hour_utc: hour, weekday },
    };
  }

  stats(): EngineStats {
    return { memory_bytes: 0, late_events: 0, saturated: 0 };
  }

  snapshot(): Uint8Array {
    return encodeEngineState('time_of_day', this.fingerprint, []);
  }

  restore(bytes: Uint8Array): void {
    decodeEngineState(bytes, 'time_of_day', this.fingerprint, 0);
  }
}
