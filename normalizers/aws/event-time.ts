import { formatEventTime, parseEventTime } from '../common/time.js';

export interface EventTime {
  /** Epoch milliseconds. */
  readonly ms: number;
  /** ISO 8601 UTC with milliseconds, the schema's `time`. */
  readonly iso: string;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** `Date` holds +-8.64e15 ms; beyond it `toISOString` throws. */
const MAX_DATE_MS = 8.64e15;

// One-entry memo of the fast path. Callers only read the result, so sharing it is safe.
let lastInput = '';
let lastResult: EventTime | undefined;

/**
 * The event time of a CloudTrail record, with a fast path for the forms real records use.
 *
 * CloudTrail writes `2024-07-31T12:36:52Z`; exports (Panther, Athena, SIEMs) rewrite it as
 * `2024-10-17 21:48:45.000000000`. For `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z]` the digits are read
 * directly and the ISO string is assembled from the input: no regular expression and no `Date`
 * object, which together cost more than the rest of the record's normalization. Anything else
 * (offsets, epoch numbers, years before 1970, leap seconds) goes to the shared parser
 * (`common/time.ts`), whose results the fast path reproduces exactly for the inputs it accepts
 * (UTC when no zone is written, the fraction truncated to milliseconds).
 */
export function eventTime(value: unknown): EventTime | undefined {
  if (typeof value === 'string') {
    // Records arrive in bursts that share their second: remember the last answer.
    if (value === lastInput && lastResult !== undefined) return lastResult;
    const fast = fastUtc(value);
    if (fast !== undefined) {
      lastInput = value;
      lastResult = fast;
      return fast;
    }
  }
  const ms = parseEventTime(value);
  // The shared parser accepts any finite epoch number, but `Date` (and so formatEventTime) throws
  // beyond +-8.64e15 ms: such a value is no usable time, and normalizers must never throw.
  if (ms === undefined || ms > MAX_DATE_MS || ms < -MAX_DATE_MS) return undefined;
  return { ms, iso: formatEventTime(ms) };
}

function fastUtc(s: string): EventTime | undefined {
  const len = s.length;
  if (len < 19) return undefined;
  const sep = s.charCodeAt(10);
  if (
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    (sep !== 84 && sep !== 32) || // T or space
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  // After the seconds: nothing, `Z`, or `.` + 1 to 9 digits, then nothing or `Z`.
  const end = s.charCodeAt(len - 1) === 90 /* Z */ ? len - 1 : len;
  let millis = 0;
  let fractionDigits = 0;
  if (end > 19) {
    if (s.charCodeAt(19) !== 46 /* . */) return undefined;
    fractionDigits = end - 20;
    if (fractionDigits < 1 || fractionDigits > 9) return undefined;
    if (digits(s, 20, fractionDigits) < 0) return undefined;
    millis = digits(s, 20, fractionDigits < 3 ? fractionDigits : 3) * (fractionDigits === 1 ? 100 : fractionDigits === 2 ? 10 : 1);
  } else if (end < 19) {
    return undefined;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  // digits() returns -1 for a non-digit, which every lower bound below rejects.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] ?? 0) + (leap ? 1 : 0)) return undefined;
  const ms = daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
  let iso: string;
  if (sep === 84 && fractionDigits === 3 && end === len - 1) iso = s; // already canonical
  else if (sep === 84 && fractionDigits === 0) iso = s.slice(0, 19) + '.000Z';
  else iso = s.slice(0, 10) + 'T' + s.slice(11, 19) + MILLIS[millis] + 'Z';
  return { ms, iso };
}

/** `.000` to `.999`, built once: formatting the milliseconds allocates nothing per record. */
const MILLIS: readonly string[] = Array.from({ length: 1000 }, (_, i) => '.' + String(i).padStart(3, '0'));

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`), the same
 * value `Date.UTC` computes, without its cost. Valid for the years the fast path accepts.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The decimal value of `count` ASCII digits from `start`, or -1 if any is not a digit. */
function digits(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
