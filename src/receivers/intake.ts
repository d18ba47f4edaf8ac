import { SecretwatchError } from '../errors/codes.js';

/**
 * The bound on work a receiver has accepted and not yet finished: log records decoded and waiting
 * for the consumer. Past the bound, receivers refuse with 429 / RESOURCE_EXHAUSTED so that the
 * Collector keeps the data and retries, instead of secretwatch queueing without limit.
 *
 * One Intake may be shared by several receivers so that the bound is on their sum.
 */
export class Intake {
  private inFlight = 0;

  constructor(readonly maxRecordsInFlight: number) {
    if (!Number.isSafeInteger(maxRecordsInFlight) || maxRecordsInFlight < 1) {
      throw new SecretwatchError('SW_CONFIG_INVALID', `max_records_in_flight must be a positive integer, got ${String(maxRecordsInFlight)}`);
    }
  }

  /** Records accepted and not yet released. */
  get recordsInFlight(): number {
    return this.inFlight;
  }

  /** True when nothing more can be admitted: refuse before reading a request body. */
  get full(): boolean {
    return this.inFlight >= this.maxRecordsInFlight;
  }

  /**
   * Admits `records` if they fit. When nothing is in flight a request is always admitted, so that a
   * single request larger than the bound is processed rather than refused forever.
   */
  tryAcquire(records: number): boolean {
    if (this.inFlight > 0 && this.inFlight + records > this.maxRecordsInFlight) return false;
    this.inFlight += records;
    return true;
  }

  release(records: number): void {
    this.inFlight = Math.max(0, this.inFlight - records);
  }
}
