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

export interface RecordFormat {
  /** Short name used in `raw.format` chains and summaries (`cloudtrail`, `gcp_logentry`...). */
  readonly name: string;
  /** Cheap structural test; must not allocate on the hot path. */
  matches(value: JsonObject): boolean;
  decode(value: JsonObject): FormatResult;
}
