import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks `Authorization: Bearer <token>` values. Both sides are hashed to fixed-length digests
 * before a constant-time comparison, so neither the token's content nor its length leaks through
 * response timing.
 */
export class BearerAuth {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  /** True when the header value carries the configured token. */
  check(authorization: string | undefined): boolean {
    const match = authorization === undefined ? null : BEARER.exec(authorization);
    // Compare even when the header is missing or malformed, so all refusals cost the same.
    const presented = digest(match?.[1] ?? '');
    return timingSafeEqual(presented, this.expected) && match !== null;
  }
}
