import { describe, expect, it } from 'vitest';
import { eventTime } from '../../../normalizers/aws/event-time.js';
import { formatEventTime, parseEventTime } from '../../../normalizers/common/time.js';

/** What the shared parser says: the fast path must never disagree with it. */
function shared(value: unknown): { ms: number; iso: string } | undefined {
  const ms = parseEventTime(value);
  return ms === undefined ? undefined : { ms, iso: formatEventTime(ms) };
}

describe('eventTime', () => {
  it('reads the CloudTrail form and the export form', () => {
    expect(eventTime('2024-07-31T12:36:52Z')).toEqual({ ms: 1722429412000, iso: '2024-07-31T12:36:52.000Z' });
    expect(eventTime('2025-02-14 19:43:09.000000000')).toEqual({ ms: 1739562189000, iso: '2025-02-14T19:43:09.000Z' });
    expect(eventTime('2024-07-31T12:36:52.5Z')).toEqual({ ms: 1722429412500, iso: '2024-07-31T12:36:52.500Z' });
    expect(eventTime('2024-07-31T12:36:52.123Z')).toEqual({ ms: 1722429412123, iso: '2024-07-31T12:36:52.123Z' });
  });

  it('agrees with the shared parser on every form and on edge cases', () => {
    const cases = [
      '2024-02-29T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2000-02-29T23:59:59Z',
      '1900-02-28T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T23:59:60Z',
      '2024-13-01T00:00:00Z',
      '2024-00-10T00:00:00Z',
      '2024-0a-01T00:00:00Z',
      '2024-07-31T12:36:52.Z',
      '2024-07-31T12:36:52.1234567890Z',
      '2024-07-31T12:36:52ZZ',
      '2024-07-31T12:36:52+02:00',
      '2024-07-31T12:36',
      '2024-07-31 12:36:52',
      '2024-07-31x12:36:52Z',
      ' 2024-07-31T12:36:52Z ',
      '',
      1722429412000,
      null,
      {},
    ];
    for (const c of cases) expect(eventTime(c), String(c)).toEqual(shared(c));
    // A sweep of instants in the forms real records use.
    for (let ms = 0; ms < 4_102_444_800_000; ms += 86_400_000 * 37 + 3_723_456) {
      const iso = new Date(ms).toISOString();
      for (const form of [iso, iso.slice(0, 19) + 'Z', iso.slice(0, 19).replace('T', ' ') + '.000000000', iso.slice(0, 22) + 'Z']) {
        expect(eventTime(form), form).toEqual(shared(form));
      }
    }
  });
});

describe('eventTime: values Date cannot hold', () => {
  it('returns undefined instead of throwing for epoch numbers beyond the Date range', () => {
    expect(eventTime(1e308)).toBeUndefined();
    expect(eventTime(8.64e15 + 1)).toBeUndefined();
    // Past year 9999 no ISO 8601 time with a four-digit year exists: rejected like the shared parser.
    expect(eventTime(8.64e15)).toBeUndefined();
    expect(eventTime(253_402_300_799_999)).toEqual({ ms: 253_402_300_799_999, iso: '9999-12-31T23:59:59.999Z' });
  });
});
