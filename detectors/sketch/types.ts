/**
 * Options and result types of the sketches, with their defaults and units in one place.
 * Every structure's memory is fixed by these options at construction: nothing grows with the
 * number of keys.
 */

export interface CountMinOptions {
  /** Counters per row; a power of two in [2, 2^28]. Error: epsilon = e / width. */
  width: number;
  /** Rows, each with its own hash position; in [1, 32]. Confidence: delta = e^-depth. Default 4. */
  depth?: number;
  /** Unsigned 32-bit hash seed. Sketches merge only with the same seed. Default 0. */
  seed?: number;
  /**
   * Conservative update (raise only the counters below the new minimum). Default true: far
   * smaller over-counts. Plain update (false) keeps every counter an exact sum of counts, which
   * makes `merge` an exact sum and allows subtraction.
   */
  conservative?: boolean;
  /**
   * Bits per counter: 8, 16 or 32 (default 32). Counters saturate at 255, 65,535 or 2^32 - 1
   * (never wrap), so an estimate is never below min(true count, that maximum): narrow counters
   * suit a sketch that only has to tell whether a count passed a threshold well below the maximum,
   * and hold 4x (8-bit) or 2x (16-bit) the width in the same memory. Sketches merge only with the
   * same width.
   */
  counterBits?: 8 | 16 | 32;
}

export interface BloomOptions {
  /** Size of the bit array, in [64, 2^31]. */
  bits: number;
  /** Probes per key, in [1, 32]. */
  hashes: number;
  /** Unsigned 32-bit hash seed. Filters merge only with the same seed. Default 0. */
  seed?: number;
  /**
   * Number of distinct keys the filter was sized for. Above it the fill exceeds the design and
   * `saturated` turns true. Default: the capacity at which `bits` and `hashes` are optimal,
   * bits * ln2 / hashes.
   */
  capacity?: number;
}

/** Time layout shared by the windowed structures. Times are integer epoch milliseconds (event time). */
export interface WindowOptions {
  /** Length W of the sliding window, ms; a multiple of `subWindows`. */
  windowMs: number;
  /** Number S of sub-windows the window is cut into (sub-window length B = W / S). */
  subWindows: number;
  /**
   * How far behind the newest event time an event may arrive and still be counted, ms.
   * CloudTrail delivers up to ~15 minutes late. Default 0.
   */
  allowedLatenessMs?: number;
}

export interface WindowedCountMinOptions extends WindowOptions, CountMinOptions {}

export interface WindowedBloomOptions extends WindowOptions {
  /** Distinct keys expected per sub-window (the capacity of each sub-filter). */
  expectedItemsPerSubWindow: number;
  /**
   * False-positive rate of a query over a whole window, which reads S + 1 sub-filters; each
   * sub-filter is sized for 1 - (1 - rate)^(1 / (S + 1)). Default 0.001.
   */
  falsePositiveRate?: number;
  /** Unsigned 32-bit hash seed. Default 0. */
  seed?: number;
}

export interface WindowedDistinctOptions extends WindowOptions {
  /** Distinct (group, item) pairs expected per sub-window. */
  expectedPairsPerSubWindow: number;
  /**
   * Probability that a pair new to the window is taken for one already seen (and so not counted).
   * Default 0.001.
   */
  falsePositiveRate?: number;
  /** Counters per row of the per-group counts; a power of two. Default 2^14. */
  groupWidth?: number;
  /** Rows of the per-group counts. Default 4. */
  groupDepth?: number;
  /**
   * Bits per counter of the per-group counts: 8, 16 or 32 (default 32); saturating, as in
   * CountMinOptions. A saturated counter stays saturated when a pair moves out of its sub-window.
   */
  counterBits?: 8 | 16 | 32;
  /** Unsigned 32-bit hash seed. Default 0. */
  seed?: number;
}

/**
 * Which sub-windows answer a query for the window (nowMs - W, nowMs].
 * - `covering` (default, for rules): every sub-window that overlaps the window. Never misses an
 *   event of the window because of bucketing; may add events up to B - 1 ms older than the window
 *   start, and events later than nowMs that share its sub-window. Up to nowMs it spans W to
 *   W + B - 1 ms.
 * - `inside`: only the sub-windows that lie entirely inside the window. Never adds an event from
 *   outside it; spans W - B to W ms, so it can miss up to B ms of the window.
 * When nowMs + 1 is a multiple of B both are the same S sub-windows, exactly the window.
 */
export type WindowMode = 'covering' | 'inside';

/**
 * Outcome of adding an event to a windowed structure. Never thrown: the caller counts it.
 * - `counted`: in the sub-window of its time.
 * - `late_dropped`: its sub-window was already recycled (older than the oldest retained one).
 * - `invalid_time`: the time is not a finite number.
 */
export type WindowAddStatus = 'counted' | 'late_dropped' | 'invalid_time';

/**
 * Outcome of adding a key (or pair) to a windowed set: `new` when it was not seen in the scope the
 * method documents, `seen` otherwise; `late_dropped` and `invalid_time` as in `WindowAddStatus`.
 */
export type WindowSeenStatus = 'new' | 'seen' | 'late_dropped' | 'invalid_time';

/** Error guarantee of a count-min sketch. */
export interface CountMinErrorBound {
  /** Relative error: an estimate exceeds the truth by more than epsilon * N with probability <= delta. */
  epsilon: number;
  /** Probability that the epsilon bound is exceeded for one key. */
  delta: number;
  /** epsilon * N, with N the total of the counts the estimate draws from. */
  maxOvercount: number;
}

export interface DistinctErrorEstimate {
  /**
   * Current probability that a pair new to the window is missed (taken for seen), from the fill of
   * the sub-filters a window query reads. Expected under-count of a group: this rate times its
   * number of new pairs.
   */
  falsePositiveRate: number;
  /** The same probability when every sub-filter holds exactly its configured capacity. */
  designFalsePositiveRate: number;
  /** Over-count bound of the per-group counts (see CountMinErrorBound), over the window's pairs. */
  epsilon: number;
  delta: number;
  maxOvercount: number;
}
