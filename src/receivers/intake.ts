import { SecretwatchError } from '../errors/codes.js';
import { RequestBudget } from './request-budget.js';

/** Default bound on bytes buffered and decoded across all requests (`max_bytes_in_flight`). */
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 128 * 1024 * 1024;

/**
 * The bound on work the receivers have accepted and not yet finished, in two measures: log records
 * decoded and waiting for the consumer, and bytes buffered and decoded (request bodies as received,
 * their decompressed form, the decoded request, and every body inflated inside it). Past either
 * bound, receivers refuse with 429 / RESOURCE_EXHAUSTED so that the Collector keeps the data and
 * retries, instead of secretwatch taking memory in proportion to its senders' concurrency.
 *
 * One Intake is shared by the receivers of a process so that the bound is on their sum.
 */
export class Intake {
  private inFlight = 0;
  private bytes = 0;

  constructor(
    readonly maxRecordsInFlight: number,
    readonly maxBytesInFlight: number = DEFAULT_MAX_BYTES_IN_FLIGHT,
  ) {
    if (!Number.isSafeInteger(maxRecordsInFlight) || maxRecordsInFlight < 1) {
      throw new SecretwatchError('SW_CONFIG_INVALID', `max_records_in_flight must be a positive integer, got ${String(maxRecordsInFlight)}`);
    }
    if (!Number.isSafeInteger(maxBytesInFlight) || maxBytesInFlight < 1) {
      throw new SecretwatchError('SW_CONFIG_INVALID', `max_bytes_in_flight must be a positive integer, got ${String(maxBytesInFlight)}`);
    }
  }

  /** Records accepted and not yet released. */
  get recordsInFlight(): number {
    return this.inFlight;
  }

  /** Bytes charged by requests not finished yet. */
  get bytesInFlight(): number {
    return this.bytes;
  }

  /** True when nothing more can be admitted: refuse before reading a request body. */
  get full(): boolean {
    return this.inFlight >= this.maxRecordsInFlight || this.bytes >= this.maxBytesInFlight;
  }

  /** The refusal message: what is in flight against which bound (the records' unless `bytes`). */
  describeLoad(bytes = this.inFlight < this.maxRecordsInFlight): string {
    return bytes
      ? `${this.bytes} bytes buffered and decoded in flight (max_bytes_in_flight ${this.maxBytesInFlight}); retry later`
      : `${this.inFlight} log records in flight (limit ${this.maxRecordsInFlight}); retry later`;
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

  /** The byte account of one request; release it on every path (`RequestBudget.release`). */
  openRequest(maxDecompressedBytes: number): RequestBudget {
    return new RequestBudget(this, maxDecompressedBytes);
  }

  /**
   * Charges `bytes` to a request that holds `held` already. They fit under the bound, or when the
   * request holds everything in flight (alone, a request larger than the bound still goes through).
   */
  chargeBytes(held: number, bytes: number): boolean {
    if (this.bytes + bytes > this.maxBytesInFlight && held < this.bytes) return false;
    this.bytes += bytes;
    return true;
  }

  releaseBytes(bytes: number): void {
    this.bytes = Math.max(0, this.bytes - bytes);
  }
}
