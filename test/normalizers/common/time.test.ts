import { describe, expect, it } from 'vitest';
import { formatEventTime, parseEventTime } from '../../../normalizers/common/time.js';

describe('parseEventTime', () => {
  it.each([
    ['2024-07-31T12:36:52Z', Date.UTC(2024, 6, 31, 12, 36, 52)],
    ['2025-08-15T12:56:17.261620203Z', Date.UTC(2025, 7, 15, 12, 56, 17, 261)],
    ['2022-11-11T04:48:27.6767145Z', Date.UTC(2022, 10, 11, 4, 48, 27, 676)],
    ['2025-02-14 19:43:09.000000000', Date.UTC(2025, 1, 14, 19, 43, 9)],
    ['2024-01-01T02:00:00+02:00', Date.UTC(2024, 0, 1, 0, 0, 0)],
    ['2024-01-01T00:00:00-0130', Date.UTC(2024, 0, 1, 1, 30, 0)],
  ])('%s', (text, ms) => {
    expect(parseEventTime(text)).toBe(ms);
  });

  it.each(['2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z', '2024-01-01T24:00:00Z', 'yesterday', '', '2024-01-01'])('rejects %s', (text) => {
    expect(parseEventTime(text)).toBeUndefined();
  });

  it('takes epoch milliseconds within the ISO range only', () => {
    expect(parseEventTime(1_700_000_000_123)).toBe(1_700_000_000_123);
    expect(parseEventTime(1e308)).toBeUndefined();
    expect(parseEventTime(-5)).toBeUndefined();
    expect(parseEventTime(Number.NaN)).toBeUndefined();
  });

  it('formats with millisecond precision in UTC', () => {
    expect(formatEventTime(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('2024-01-02T03:04:05.006Z');
  });
});
