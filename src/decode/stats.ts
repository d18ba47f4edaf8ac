import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Rejection } from './rejection.js';
import type { DecodeSink } from './sink.js';

/**
 * Counts what a decoder produced, by provider and by reason, and forwards to the next sink.
 * Records are counted by the inputs' cursors (`InputCursor.nextIndex`), which see every record once.
 */
export class DecodeStats implements DecodeSink {
  /** Secret access events (one record can hold several: SSM GetParameters is one event, a log file many). */
  events = 0;
  readonly eventsByProvider = new Map<string, number>();
  unrelatedCount = 0;
  readonly unrelatedByReason = new Map<string, number>();
  rejected = 0;
  readonly rejectedByReason = new Map<string, number>();

  constructor(private readonly next?: DecodeSink) {}

  event(event: SecretAccessEvent): void {
    this.events++;
    this.eventsByProvider.set(event.provider, (this.eventsByProvider.get(event.provider) ?? 0) + 1);
    this.next?.event(event);
  }

  rejection(rejection: Rejection): void {
    this.rejected++;
    this.rejectedByReason.set(rejection.reason, (this.rejectedByReason.get(rejection.reason) ?? 0) + 1);
    this.next?.rejection(rejection);
  }

  unrelated(format: string, reason: string): void {
    this.unrelatedCount++;
    // Bucket by the reason's kind (`other_service`), not its value, so this map stays small.
    const kind = reason.split(':', 1)[0] ?? reason;
    this.unrelatedByReason.set(kind, (this.unrelatedByReason.get(kind) ?? 0) + 1);
    this.next?.unrelated(format, reason);
  }
}
