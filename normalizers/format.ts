import type { SecretAccessEvent } from './schema.js';

/**
 * The contract between the generic decoder (`src/decode/`) and the provider formats here.
 *
 * The decoder turns bytes into parsed JSON values and walks envelopes; it knows no provider field.
 * Each `RecordFormat` recognizes one shape of parsed value and says what it is: an envelope holding
 * more values, encoded payloads to decode again (base64, gzip, JSON text), normalized events, or a
 * record that is not a secret access. Formats are pure: no I/O, no clock, no throwing on bad data.
 */

/** A normalized event before the decoder attaches the pointer to where it was read. */
export type NormalizedEvent = Omit<SecretAccessEvent, 'raw'>;

/** Stable reason codes for rejected input. Documented in README ("Rejections"). */
export type RejectReason =
  | 'invalid_json'
  | 'invalid_gzip'
  | 'invalid_base64'
  | 'invalid_encoding'
  | 'too_large'
  | 'too_deep'
  | 'unknown_format'
  | 'missing_time'
  | 'invalid_time'
  | 'malformed_record';

/** Bytes or text that a format found inside an envelope and wants decoded like a fresh input. */
export type Payload =
  | { kind: 'text'; text: string }
  | { kind: 'base64'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

export type FormatResult =
  /** An envelope: each child is classified again (CloudTrail `Records`, Azure `records`, EventBridge `detail`). */
  | { kind: 'children'; items: readonly unknown[] }
  /** An envelope whose contents are encoded (Pub/Sub `data`, CloudWatch Logs `message`, Lambda `awslogs.data`). */
  | { kind: 'payloads'; items: readonly Payload[] }
  /** One record that is a secret access (usually one event; never more than the record describes). */
  | { kind: 'events'; events: NormalizedEvent[] }
  /** A well-formed record that is not a secret access (other services, writes, console logins). */
  | { kind: 'unrelated'; reason: string }
  /** Transport chatter that carries no record at all (CloudWatch Logs `CONTROL_MESSAGE`). Not counted. */
  | { kind: 'skipped'; reason: string }
  /** A record of this format that cannot be used; the reason is counted and dead-lettered. */
  | { kind: 'rejected'; reason: RejectReason; detail: string };

export type JsonObject = Record<string, unknown>;

/** The one result a pre-parse screen may give (see `RecordFormat.screenUnrelated`). */
export type UnrelatedResult = Extract<FormatResult, { kind: 'unrelated' }>;

export interface RecordFormat {
  /** Short name used in `raw.format` chains and summaries (`cloudtrail`, `gcp_logentry`...). */
  readonly name: string;
  /** Cheap structural test; must not allocate on the hot path. */
  matches(value: JsonObject): boolean;
  decode(value: JsonObject): FormatResult;
  /**
   * Optional pre-parse screen: a pure look at the raw JSON text of one record BEFORE the decoder
   * parses it, so that the bulk of a stream that is certainly not a secret access (a raw
   * CloudTrail stream is mostly other services) skips `JSON.parse`, most of its cost.
   *
   * Returns an `unrelated` result only when the text certainly is a record that the decoder would
   * hand to this format (no format tried before it in `allFormats` could claim the parsed value)
   * and that `decode` would classify as unrelated with exactly this reason; `undefined` (parse as
   * usual) in every other case and whenever in doubt. Being wrong the other way costs only time.
   *
   * The decoder asks it of every text that starts with `{`, so it must refuse foreign text after
   * a few character checks. The text is not validated as JSON: a screened record whose syntax is
   * broken somewhere inside is counted as unrelated instead of rejected as `invalid_json`. A
   * screen must therefore at least refuse text that is truncated or holds more than one value.
   * Must not throw (the decoder parses the text as usual if it does).
   */
  screenUnrelated?(text: string): UnrelatedResult | undefined;
}
