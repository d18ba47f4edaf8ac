/**
 * Bounds on what one input may cost the decoder. Inputs past a bound are rejected with a reason,
 * so a hostile or broken payload (a gzip bomb, a megabyte of nested arrays) costs bounded memory.
 */
export interface DecodeLimits {
  /** Largest single compressed or plain payload accepted, in bytes. */
  maxInputBytes: number;
  /** Largest output of one gunzip, in bytes (gzip bombs stop here). */
  maxDecompressedBytes: number;
  /** Deepest envelope nesting (envelope in base64 in gzip in envelope...) before giving up. */
  maxEnvelopeDepth: number;
  /** Largest rejected input kept whole for the dead-letter file, in characters. */
  maxDeadLetterChars: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxInputBytes: 256 * 1024 * 1024,
  maxDecompressedBytes: 512 * 1024 * 1024,
  maxEnvelopeDepth: 16,
  maxDeadLetterChars: 1024 * 1024,
});
