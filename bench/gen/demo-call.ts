import type { CloudTrailCall } from './cloudtrail.js';
import type { GcpAuditCall } from './gcp-audit.js';
import type { KeyVaultCall } from './keyvault.js';
import { hexId } from './cloudtrail.js';
import { prng } from '../measure.js';

/**
 * One audited call of the demo, before it is written into its provider's envelope. `delayMs` is
 * how long after the call its record is delivered: it decides which file the record lands in, and
 * records delivered late land out of order among later ones, as CloudTrail's do.
 */
export type DemoCall =
  | { provider: 'aws'; channel: 's3' | 'cloudwatch'; delayMs: number; call: CloudTrailCall }
  | { provider: 'gcp'; channel: 'export' | 'pubsub'; delayMs: number; call: GcpAuditCall }
  | { provider: 'azure'; delayMs: number; call: KeyVaultCall };

export function callTime(c: DemoCall): number {
  return c.call.timeMs;
}

/**
 * Every identifier and small jitter the demo needs, from one seeded PRNG, so the same seed always
 * gives the same bytes. Each generator draws from its own instance (seeded per purpose), so adding
 * an attack does not shift the ids of normal traffic.
 */
export class DemoRandom {
  private readonly rand: () => number;
  private n = 0;

  constructor(
    seed: number,
    private readonly salt: number,
  ) {
    this.rand = prng(seed);
  }

  next(): number {
    return this.rand();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.rand() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.rand() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** 32 hex digits, unique within this instance (CloudTrail eventID material). */
  eventId(): string {
    return hexId(this.n++, this.salt);
  }

  /** A lower-case UUID v4 (Azure correlation ids). */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.rand() * 0x1_0000_0000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  /** `length` decimal digits (CloudWatch Logs event ids, Pub/Sub message ids). */
  digits(length: number): string {
    let out = String(this.int(1, 9));
    while (out.length < length) out += String(this.int(0, 9));
    return out;
  }

  /** Cloud Logging insertIds: 12 or so lower-case base-36 characters. */
  insertId(): string {
    let out = '';
    for (let i = 0; i < 12; i++) out += '0123456789abcdefghijklmnopqrstuvwxyz'[this.int(0, 35)];
    return out;
  }

  /** 16 upper-case base-32 characters, the body of an AWS credential or principal id. */
  awsKey(): string {
    let out = '';
    for (let i = 0; i < 16; i++) out += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[this.int(0, 31)];
    return out;
  }
}
