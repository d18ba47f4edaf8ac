/**
 * How many bytes the inflations of one input may still produce, all nesting levels together.
 *
 * The decoder asks `remaining` before each gunzip (that gunzip stops there), and the inflation
 * `spend`s what it produces, chunk by chunk when it streams. A receiver gives one budget per request, so that the decompressed total of a request,
 * bodies nested in bodies included, is bounded by its `max_decompressed_bytes`; files get
 * `UNLIMITED_BUDGET` and only the per-gunzip limit of `DecodeLimits`.
 */
export interface DecodeBudget {
  /** Bytes the next inflation may produce at most. */
  readonly remaining: number;
  /** Records bytes an inflation produced; false when they may not be kept (the input is rejected). */
  spend(bytes: number): boolean;
  /** Records that an inflation stopped at `remaining`: the budget is used up. */
  exhausted(): void;
}

export const UNLIMITED_BUDGET: DecodeBudget = Object.freeze({
  remaining: Number.POSITIVE_INFINITY,
  spend: () => true,
  exhausted: () => undefined,
});
