import type { DecodeBudget } from '../decode/budget.js';
import type { Intake } from './intake.js';

/** Why a request was stopped while it was read or decoded. */
export type BudgetRefusal =
  /** Its decompressed total passed `max_decompressed_bytes`: 413 / INVALID_ARGUMENT, not retried. */
  | 'too_large'
  /** The intake's byte bound was reached: 429 / RESOURCE_EXHAUSTED, retried later. */
  | 'overloaded';

/**
 * The bytes one request costs, from its first body chunk to its answer: what it buffered and
 * decoded is charged to the shared Intake (admission), and what it inflated, at any nesting
 * level, to its own decompression limit. The first charge that does not fit sets `refusal` and
 * the request is answered with it. `release()` returns everything to the Intake; callers do so
 * in a `finally`, so errors, aborts and client disconnects all give the budget back.
 */
export class RequestBudget implements DecodeBudget {
  private charged = 0;
  private inflated = 0;
  private released = false;
  refusal: BudgetRefusal | undefined;

  constructor(
    private readonly intake: Intake,
    readonly maxDecompressedBytes: number,
  ) {}

  /** Bytes held in the Intake by this request. */
  get bytesCharged(): number {
    return this.charged;
  }

  /** Bytes decompressed so far (body and nested bodies). */
  get bytesInflated(): number {
    return this.inflated;
  }

  get remaining(): number {
    return Math.max(0, this.maxDecompressedBytes - this.inflated);
  }

  /** Bytes buffered or decoded without decompression (a body chunk, a decoded request). */
  hold(bytes: number): boolean {
    if (this.refusal !== undefined) return false;
    if (this.released || !this.intake.chargeBytes(this.charged, bytes)) {
      this.refusal = 'overloaded';
      return false;
    }
    this.charged += bytes;
    return true;
  }

  /** Bytes a decompression produced: counted against the request's limit, then held. */
  spend(bytes: number): boolean {
    if (this.refusal !== undefined) return false;
    this.inflated += bytes;
    if (this.inflated > this.maxDecompressedBytes) {
      this.refusal = 'too_large';
      return false;
    }
    return this.hold(bytes);
  }

  exhausted(): void {
    this.refusal ??= 'too_large';
  }

  /** Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.intake.releaseBytes(this.charged);
    this.charged = 0;
  }
}
