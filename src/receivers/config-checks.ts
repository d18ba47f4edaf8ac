import { SecretwatchError } from '../errors/codes.js';

/** Validation helpers for receiver configurations: every message names the key. */

export function invalid(key: string, message: string): SecretwatchError {
  return new SecretwatchError('SW_CONFIG_INVALID', `${key} ${message}`);
}

export function positiveInteger(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(key, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function optionalToken(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
    throw invalid(key, 'must be a non-empty token without spaces (it is sent as "Authorization: Bearer <token>")');
  }
  return value;
}

/** Rejects keys the receiver does not know, suggesting nothing: the message lists the known ones. */
export function rejectUnknownKeys(input: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) throw invalid(`${prefix}.${key}`, `is not a known key (known: ${known.join(', ')})`);
  }
}
