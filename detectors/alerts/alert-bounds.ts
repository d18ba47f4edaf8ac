import type { AlertAttributeValue } from './alert.js';

/**
 * Size bounds of an alert. Whatever an audit record carries (a user agent, principal and session
 * names, secret ids, event ids...) is copied into the alert; a record made to carry megabytes must
 * not make an alert that every backend refuses (a poison alert). So each value taken from the
 * event is cut to a bound, and the alert says which ones were cut.
 */
export const ALERT_BOUNDS = {
  /** Most UTF-8 bytes of one string attribute value, or of one item of a string-array value. */
  value_bytes: 1024,
  /** Most items of a string-array value (`secretwatch.sample_secrets`, `secretwatch.terms`...): a sample, so fewer items is not flagged as a cut. */
  array_items: 10,
  /** Most UTF-8 bytes of the alert body. */
  body_bytes: 4096,
} as const;

/** `true` on an alert where something was cut; `secretwatch.alert.truncated_attributes` lists what. */
export const TRUNCATED_ATTRIBUTE = 'secretwatch.alert.truncated';
export const TRUNCATED_LIST_ATTRIBUTE = 'secretwatch.alert.truncated_attributes';
/** Appended to a value that was cut, so a reader sees it is not whole. */
const ELLIPSIS = '...';

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes (ellipsis included) on a character boundary, or
 * `text` itself when it fits.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no counting.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  let end = Math.max(0, maxBytes - ELLIPSIS.length);
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end) + ELLIPSIS;
}

/** The value within ALERT_BOUNDS, and whether it had to be cut. */
export function boundValue(value: AlertAttributeValue): { value: AlertAttributeValue; cut: boolean } {
  if (typeof value === 'string') {
    const bounded = truncateUtf8(value, ALERT_BOUNDS.value_bytes);
    return { value: bounded, cut: bounded !== value };
  }
  if (!Array.isArray(value)) return { value, cut: false };
  let cut = false;
  const items = value.slice(0, ALERT_BOUNDS.array_items).map((item) => {
    const bounded = truncateUtf8(item, ALERT_BOUNDS.value_bytes);
    if (bounded !== item) cut = true;
    return bounded;
  });
  return { value: items, cut };
}
