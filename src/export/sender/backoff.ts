/** Retry delays: exponential, capped, with jitter so that many senders do not retry in step. */
export interface BackoffOptions {
  initial_backoff_millis: number;
  max_backoff_millis: number;
  backoff_multiplier: number;
  /** Fraction of the delay added or removed at random: 0.2 spreads 1000 ms over 800..1200 ms. */
  jitter: number;
}

export const BACKOFF_DEFAULTS: BackoffOptions = {
  initial_backoff_millis: 1_000,
  max_backoff_millis: 60_000,
  backoff_multiplier: 2,
  jitter: 0.2,
};

/** The delay before retry number `attempt` (1 = the first retry); `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 64);
  const base = Math.min(options.max_backoff_millis, options.initial_backoff_millis * options.backoff_multiplier ** exponent);
  const jittered = base * (1 - options.jitter + 2 * options.jitter * random());
  return Math.round(Math.min(options.max_backoff_millis, Math.max(0, jittered)));
}
