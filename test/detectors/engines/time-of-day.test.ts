import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../detectors/engines/create-engine.js';
import { DAY, event, HOUR, MIN, T0 } from './events.js';

// T0 is Monday 2026-01-05 12:00 UTC.
const MONDAY = T0 - 12 * HOUR;

function timeOfDay(hours: [number, number] = [8, 18], daysOff = [0, 6]) {
  return createEngine({ type: 'time_of_day', working_hours_utc: hours, days_off: daysOff }, { allowedLatenessMs: 0 });
}

describe('time_of_day engine', () => {
  it('stays silent inside working hours on a working day', () => {
    const engine = timeOfDay();
    for (const at of [MONDAY + 8 * HOUR, MONDAY + 12 * HOUR, MONDAY + 18 * HOUR - 1]) expect(engine.observe(event({ at }))).toBeUndefined();
  });

  it('fires before and after working hours, with the hour and weekday', () => {
    const engine = timeOfDay();
    expect(engine.observe(event({ at: MONDAY + 18 * HOUR }))).toMatchObject({
      summary: 'accessed a secret at 18:00 UTC outside working hours (8:00-18:00 UTC)',
      measures: { hour_utc: 18, weekday: 1 },
      group: {},
    });
    expect(engine.observe(event({ at: MONDAY + 7 * HOUR + 59 * MIN }))?.measures).toEqual({ hour_utc: 7, weekday: 1 });
  });

  it('fires all day on days off', () => {
    const engine = timeOfDay();
    const saturday = MONDAY + 5 * DAY + 12 * HOUR;
    expect(engine.observe(event({ at: saturday }))).toMatchObject({
      summary: 'accessed a secret at 12:00 UTC on a Saturday, a day off',
      measures: { hour_utc: 12, weekday: 6 },
    });
    expect(engine.observe(event({ at: saturday + DAY }))?.measures['weekday']).toBe(0);
  });

  it('handles working hours that span midnight', () => {
    const engine = timeOfDay([22, 6], []);
    expect(engine.observe(event({ at: MONDAY + 23 * HOUR }))).toBeUndefined();
    expect(engine.observe(event({ at: MONDAY + 5 * HOUR }))).toBeUndefined();
    expect(engine.observe(event({ at: MONDAY + 12 * HOUR }))).toBeDefined();
  });

  it('scores late events too and holds no memory', () => {
    const engine = timeOfDay();
    engine.observe(event({ at: MONDAY + 30 * DAY }));
    expect(engine.observe(event({ at: MONDAY + 2 * HOUR }))).toBeDefined();
    expect(engine.stats()).toEqual({ memory_bytes: 0, late_events: 0, saturated: 0 });
    engine.restore(engine.snapshot());
  });
});
