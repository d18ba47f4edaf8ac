/**
 * Event-time parsing shared by every provider.
 *
 * Accepts ISO 8601 with any fraction (GCP writes nanoseconds, Azure seven digits), the
 * space-separated form that some exporters write (`2025-02-14 19:43:09.000000000`), and epoch
 * milliseconds as a number. A time without a zone is UTC, as every audit log writes UTC.
 */
// Latest instant an ISO 8601 string with a four-digit year can name (9999-12-31T23:59:59.999Z).
const MAX_TIME_MS = 253_402_300_799_999;

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/i;

/** Milliseconds since the epoch, or undefined when the value is not a usable time. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value > 0 && value <= MAX_TIME_MS ? Math.trunc(value) : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const m = ISO_LIKE.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac === undefined ? 0 : Number((frac + '00').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (Number.isNaN(t)) return undefined;
  if (zone !== undefined && zone.toUpperCase() !== 'Z' && zone.toUpperCase() !== 'UTC') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  // Reject impossible calendar values that Date.UTC silently rolls over (2024-02-31).
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const month = Number(mo);
  if (month < 1 || month > 12 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 60) {
    return undefined;
  }
  return t >= 0 && t <= MAX_TIME_MS ? t : undefined;
}

/** ISO 8601 UTC with millisecond precision, the schema's `time` format. */
export function formatEventTime(ms: number): string {
  return new Date(ms).toISOString();
}
