import type { UnrelatedResult } from '../format.js';
import { matchesAt } from './arn.js';
import { otherServiceReason, SECRET_SERVICE_HOSTS } from './operations.js';

/** How CloudTrail begins every record it writes: compact JSON, `eventVersion` first. */
const RECORD_START = '{"eventVersion":"';

/**
 * The top-level keys by which the AWS formats tried before `cloudtrail-record` (see `index.ts`)
 * claim a value: a log file's `Records` or a digest's `digestStartTime`, Lambda's `awslogs`,
 * CloudWatch Logs' `messageType`, EventBridge's `detail-type`. Each of those formats needs at least
 * one of them. A CloudTrail record has none; a text that has one at its top level is parsed.
 */
const ENVELOPE_KEYS: readonly string[] = ['Records', 'digestStartTime', 'awslogs', 'messageType', 'detail-type'];

const QUOTE = 0x22;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Any of `SECRET_SERVICE_HOSTS`, found in one native pass (cheaper here than one `includes` per host). */
const SECRET_HOST = new RegExp(SECRET_SERVICE_HOSTS.map((host) => host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/**
 * The pre-parse screen of `cloudtrail-record` (`RecordFormat.screenUnrelated`): the raw JSON text
 * of a CloudTrail record of a service that holds no secrets (EC2, S3, STS...) is counted as
 * `other_service:<eventSource>` without `JSON.parse`, the bulk of what a raw CloudTrail stream
 * costs. Anything else, or anything in doubt, is `undefined`: parse as usual.
 *
 * Why the answer is the one the full path gives (`JSON.parse`, the formats in order,
 * `normalizeCloudTrailRecord`, `awsOperation`), check by check:
 * - The text starts exactly as CloudTrail writes a record and ends with `}` (then only JSON
 *   whitespace).
 * - None of `SECRET_SERVICE_HOSTS` anywhere in the text: the only hosts that can make
 *   `awsOperation` answer anything else than `other_service` (as the event source, or as the
 *   `invokedBy` of a KMS Decrypt), wherever the record may carry them.
 * - No backslash anywhere. Escapes are how a text could spell a key or a host without its letters
 *   (`"\u0065ventSource"`, `secretsmanager\u002eamazonaws.com`) or hide a quote in a string;
 *   without them every string is exactly its text between two quotes, and every key and host
 *   compared here is in the text as written or not at all. (Records with escapes, such as JSON
 *   policies in `requestParameters`, are simply parsed.)
 * - A walk over the whole text, from quote to quote, finds the object closing exactly at that
 *   last `}`: a truncated text (even one cut right after an inner `}`) or two values on one line
 *   are parsed.
 * - Exactly one top-level `eventSource` key, its value a non-empty string without control
 *   characters (so it is the parsed value, verbatim), and exactly one top-level `eventName`, a
 *   non-empty string. Nested `eventSource` keys (in `requestParameters`...) do not count, and a
 *   duplicate top-level key is parsed (`JSON.parse` would keep the last one). So
 *   `cloudtrail-record` matches and cannot reject the record as `malformed_record`.
 * - None of `ENVELOPE_KEYS` at the top level: no AWS format tried before `cloudtrail-record` can
 *   claim the value (other providers' formats come after it in `allFormats`).
 * - The event time is never looked at: an unrelated record is unrelated whatever its time.
 *
 * Not checked: the JSON syntax between the tokens the walk looks at (`{"a":tru}`, a raw control
 * character inside a string). Such a record is counted as unrelated instead of rejected as
 * `invalid_json`; CloudTrail does not write them, and a replay's counts can only differ for text
 * that looks like a complete CloudTrail record of another service.
 *
 * Cost: a record of a secret service is refused at the first mention of its host (a partial
 * native scan); a screened record costs that scan, a search for a backslash, and one walk that
 * jumps from quote to quote with `indexOf` and builds no value but the event source.
 */
export function screenRawCloudTrailRecord(text: string): UnrelatedResult | undefined {
  if (!matchesAt(text, RECORD_START, 0)) return undefined;
  let end = text.length - 1;
  while (end > 0 && isJsonSpace(text.charCodeAt(end))) end--;
  if (text.charCodeAt(end) !== CLOSE_BRACE) return undefined;
  if (SECRET_HOST.test(text) || text.indexOf('\\') !== -1) return undefined;
  const source = topLevelEventSource(text, end);
  return source === undefined ? undefined : { kind: 'unrelated', reason: otherServiceReason(source) };
}

/**
 * Walks the object that spans `text[0..end]` (a text without backslashes, so every `"` opens or
 * closes a string) and returns its top-level `eventSource`; undefined if the object does not close
 * exactly at `end`, or if its top-level keys are not those of an ordinary CloudTrail record (see
 * `screenRawCloudTrailRecord`). Strings are jumped over with `indexOf`; only the few characters
 * between two strings are looked at one by one.
 */
function topLevelEventSource(text: string, end: number): string | undefined {
  let depth = 1; // inside the record object; `[` and `{` both count
  let expectKey = true; // at depth 1: the next string is a key
  let source: string | undefined;
  let hasName = false;
  let i = 1; // outside any string
  for (;;) {
    // Between two strings: structure, numbers and literals.
    let c = text.charCodeAt(i);
    while (c !== QUOTE) {
      // `text[end]` is the `}` that must close the record itself.
      if (i >= end) return depth === 1 && hasName ? source : undefined;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return undefined; // the record closed before its last `}`: not one value
      } else if (c === COMMA && depth === 1) expectKey = true;
      c = text.charCodeAt(++i);
    }
    const close = text.indexOf('"', i + 1);
    if (close === -1 || close >= end) return undefined; // unterminated: truncated
    if (depth === 1 && expectKey) {
      // A key of the record itself. CloudTrail writes `"key":value`, nothing in between.
      if (text.charCodeAt(close + 1) !== COLON) return undefined;
      expectKey = false;
      const keyStart = i + 1;
      const keyLength = close - keyStart;
      const valueOpen = close + 2;
      if (keyLength === 11 && matchesAt(text, 'eventSource', keyStart)) {
        if (source !== undefined || text.charCodeAt(valueOpen) !== QUOTE) return undefined;
        const valueClose = text.indexOf('"', valueOpen + 1);
        if (valueClose === -1 || valueClose >= end || valueClose === valueOpen + 1) return undefined;
        for (let j = valueOpen + 1; j < valueClose; j++) if (text.charCodeAt(j) < 0x20) return undefined;
        source = text.slice(valueOpen + 1, valueClose);
        i = valueClose + 1;
        continue;
      }
      if (keyLength === 9 && matchesAt(text, 'eventName', keyStart)) {
        // Any non-empty string will do: the name never reaches an `other_service` reason. The
        // value is then walked over like any other string.
        if (hasName || text.charCodeAt(valueOpen) !== QUOTE || text.charCodeAt(valueOpen + 1) === QUOTE) return undefined;
        hasName = true;
      } else if (isEnvelopeKey(text, keyStart, keyLength)) {
        return undefined;
      }
    }
    i = close + 1;
  }
}

/** `ENVELOPE_KEYS` by length: most keys of a record are told apart by their length alone. */
const ENVELOPE_KEYS_BY_LENGTH: readonly (readonly string[] | undefined)[] = (() => {
  const byLength: string[][] = [];
  for (const key of ENVELOPE_KEYS) (byLength[key.length] ??= []).push(key);
  return byLength;
})();

function isEnvelopeKey(text: string, keyStart: number, keyLength: number): boolean {
  const candidates = ENVELOPE_KEYS_BY_LENGTH[keyLength];
  if (candidates === undefined) return false;
  for (const key of candidates) if (matchesAt(text, key, keyStart)) return true;
  return false;
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
