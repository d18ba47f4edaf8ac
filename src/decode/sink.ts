import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Rejection } from './rejection.js';

/** Where the decoder delivers its results, one call per record, in input order. */
export interface DecodeSink {
  event(event: SecretAccessEvent): void;
  rejection(rejection: Rejection): void;
  /** A well-formed record that is not a secret access. */
  unrelated(format: string, reason: string): void;
}
