import type { RejectReason } from '../../normalizers/format.js';

/** One input the decoder could not use, with why and where. Counted, dead-lettered, never thrown. */
export interface Rejection {
  reason: RejectReason;
  /** A sentence for a person: what was wrong, naming the field or byte position when known. */
  detail: string;
  /** Input name (file path, `stdin`, receiver name). */
  source: string;
  /** Record index within the input, in decoding order. */
  index: number;
  /** Envelope chain down to the failure (`gzip>cloudwatch_logs`). */
  format: string;
  /** The offending input as found: a parsed value, text, or bytes. Serialized only when dead-lettered. */
  input: unknown;
}
