import { SecretwatchError } from '../../src/errors/codes.js';
import type { SketchSpec } from '../ruleset/rule-schema.js';
import { maxCountFor, type CounterBits } from '../sketch/count-min-table.js';

/**
 * Default sketch sizes of every engine, in one place, with the reasoning. A rule overrides any of
 * them in `engine.sketch` (width, depth, sub_windows, capacity, false_positive_rate, seed).
 *
 * The budget: all rules together under 64 MB, sized for the busiest stream we plan for
 * (1,000,000 distinct (principal, IP) groups, 3,000,000 reads in one hour: bench/accuracy.bench.ts).
 * Memory of a windowed sketch is (size per sub-window) x R ring slots, R = S + ceil(L / B) + 1
 * (S sub-windows of B = W / S, L = allowed lateness, 15 min by default): lateness costs slots.
 * Totals with the built-in rules: threshold 39.9 MiB, new_terms 5.5 MiB each, sequence 3.5 MiB,
 * multi_provider 3.0 MiB: 57.5 MiB (60.3 MB), whatever the number of groups.
 *
 * - threshold counter widths: the count-min sketches saturate instead of wrapping, and the engine
 *   gives each the narrowest counters whose maximum is at least 2 x its threshold + 2
 *   (counterBitsFor): 8 bits for `count_above: 50` and `distinct.above: 10`. The default widths
 *   below are for 8-bit counters; a rule whose thresholds need 16 or 32 bits gets 1/2 or 1/4 of
 *   the width, the same memory (widthForCounterBits). A width set in the rule is used as is.
 * - threshold counts: width 2^18 x depth 4 x 1-byte counters, 4 sub-windows (15 min of 1 h),
 *   R = 6: 6 MiB (the width the 32-bit sketches had in 24 MiB). Conservative update keeps groups
 *   with many reads nearly exact even at this width: measured at the stress, the final estimate of
 *   the 600 groups with 15..300 reads is over by at most 2 (and of the 50 groups with 30..40
 *   reads by at most 1), far from the 12 reads a group with 39 needs to pass 50. Quiet groups are
 *   over-counted more (1..5 reads: 81% over by 1 or more, 16% by 4 or more, at most 9), which
 *   only weakens the values bound below, no longer needed against them (see distinct). Width 2^17
 *   would do for `count_above: 50` too (groups with 15+ reads over by at most 5) but leaves
 *   almost no quiet group exact (99.6% over-counted, 90% by 4 or more): too coarse for rules with
 *   small thresholds. The window read may include up to one extra sub-window (over-count side, never a
 *   miss).
 * - threshold distinct: per sub-window a Bloom filter of (group, item) pairs for 750,000 pairs
 *   (the stress inserts fewer: the window read's measured false-positive rate is 0.0075%, design
 *   0.1%; a false positive hides one new item: the only under-count), 9.5 MiB; per-group counts
 *   in a count-min of width 2^20 x 4 x 1-byte counters (plain update: the counter moves pairs
 *   between sub-windows), 24 MiB; and a 2^14 x 4 sketch of values beyond the first per event,
 *   0.4 MiB, which with the event count bounds the distinct count (see threshold.ts). Plain
 *   update over-counts every group by the pairs of the groups sharing its counters, summed over
 *   the 4..5 sub-windows a read covers, so the width is what decides false distinct alerts of
 *   groups that read many times but few distinct secrets (30..40 reads of 5..9 secrets: the
 *   count bound cannot help them). Measured at the stress (the pairs move to their latest
 *   sub-window: ~570,000 in the newest, 1.24 million in the window), final over-counts:
 *     - width 2^16 (32-bit, 6 MiB, before): 45 false near-miss alerts of 50 and 152 false
 *       background alerts of 1,000,000 (quiet groups whose event count was over-counted too, so
 *       the values bound let them through);
 *     - width 2^19 (8-bit, 12 MiB): 24% of the near-miss groups over by 1 or more, one by 2 ->
 *       1 false alert; background at most 5 over, 2% by 2 or more;
 *     - width 2^20 (8-bit, 24 MiB, chosen): 1 near-miss group of 50 over by 1, none by 2;
 *       background 3.1% over by 1, 0.05% by 2, at most 3 (a group with 1..2 secrets needs 9):
 *       0 false and 0 missed alerts at 1,000,000 groups with the workload's seeds 7, 1, 2, 3.
 *   At 2^20 the counts need 2^18 for the same total as before (39.9 MiB for the rule); 2^19
 *   counts with 2^20 distinct would be 45.9 MiB, and all rules 63.5 MiB: too close to the budget.
 * - new_terms: 10 sub-windows over the history (1 day of 10 d, 3 days of 30 d): the history may
 *   reach one sub-window further back (a term returns as "seen" for up to one sub-window longer),
 *   a fair price for 12 slots instead of 32. 200,000 new terms per sub-window at 0.1%: 5.5 MiB.
 *   Both new_terms rules share this default. At the stress, secret_access_new_source (30 d) sees
 *   1,000,000 new (principal, IP) pairs in one 3-day sub-window: 5x its capacity, so that
 *   sub-filter saturates (`saturated` = 1; measured: 68% of the next new pairs taken for seen
 *   until it expires). Holding 1,000,000 per sub-window costs 27.5 MiB per rule (x2 as a shared
 *   default), and partial raises buy little for their price (capacity 300,000: 27% missed after
 *   such a burst, +2.8 MiB per rule; 400,000: 8.5%, +5.5 MiB per rule, i.e. 68.5 MiB in all),
 *   so the default is unchanged: a site expecting such bursts sets `engine.sketch.capacity` in
 *   that rule.
 * - sequence: preceding events (failures) are rare: width 2^13 x 4 per sub-window, 5 sub-windows
 *   (2 min of 10 min, R = 14), two sketches (failures and consumed), 32-bit counters: 3.5 MiB.
 * - multi_provider: (group, provider) pairs, 100,000 per 2-minute sub-window at 0.1%: 3.0 MiB.
 */
export interface ResolvedSketch {
  /** Count-min counters per row (a power of two). */
  width: number;
  depth: number;
  /** Sub-windows S; must divide the window (in ms). */
  subWindows: number;
  /** Distinct keys or pairs per sub-window a Bloom filter is sized for. */
  capacity: number;
  /** False-positive rate of a window read of a Bloom filter. */
  falsePositiveRate: number;
  /** Groups with exact state at most (threshold candidates, sequence groups with failures). */
  candidates: number;
  /** Entries of the recent-event log (a power of two; threshold). */
  recentEvents: number;
  seed: number;
}

type Defaults = Omit<ResolvedSketch, 'seed'>;

export const SKETCH_DEFAULTS = {
  /** `width`: of the event counts (the gate), for 8-bit counters (see widthForCounterBits). */
  threshold: { width: 2 ** 19, depth: 4, subWindows: 4, capacity: 0, falsePositiveRate: 0, candidates: 8_192, recentEvents: 2 ** 19 },
  new_terms: { width: 0, depth: 0, subWindows: 10, capacity: 200_000, falsePositiveRate: 0.001, candidates: 0, recentEvents: 0 },
  /** `candidates`: groups with failures on record. */
  sequence: { width: 0, depth: 0, subWindows: 1, capacity: 0, falsePositiveRate: 0, candidates: 16_384, recentEvents: 0 },
  /** `capacity`: groups the last-seen table holds at once (its slots: the next power of two of twice that). */
  multi_provider: { width: 0, depth: 0, subWindows: 1, capacity: 2 ** 19, falsePositiveRate: 0, candidates: 0, recentEvents: 0 },
} as const satisfies Record<string, Defaults>;

/**
 * Defaults merged with a rule's `engine.sketch`. When the rule does not set `sub_windows` and the
 * default does not divide the window, the largest smaller count that does is used; a
 * `sub_windows` the rule sets must divide it (an error naming the key otherwise).
 */
export function resolveSketch(defaults: Defaults, spec: SketchSpec | undefined, windowMs: number, ruleKey: string): ResolvedSketch {
  let subWindows = spec?.sub_windows ?? defaults.subWindows;
  if (windowMs % subWindows !== 0) {
    if (spec?.sub_windows !== undefined) {
      throw new SecretwatchError(
        'SW_RULE_INVALID',
        `engine.sketch.sub_windows (${subWindows}) must divide engine.${ruleKey} (${windowMs} ms)`,
      );
    }
    while (windowMs % subWindows !== 0) subWindows--;
  }
  const width = spec?.width ?? defaults.width;
  if (spec?.width !== undefined && (width & (width - 1)) !== 0) {
    throw new SecretwatchError('SW_RULE_INVALID', `engine.sketch.width must be a power of two (got ${width})`);
  }
  const recentEvents = spec?.recent_events ?? defaults.recentEvents;
  if (spec?.recent_events !== undefined && (recentEvents & (recentEvents - 1)) !== 0) {
    throw new SecretwatchError('SW_RULE_INVALID', `engine.sketch.recent_events must be a power of two (got ${recentEvents})`);
  }
  const seed = spec?.seed ?? 0;
  if (seed < 0 || seed > 0xffffffff) {
    throw new SecretwatchError('SW_RULE_INVALID', `engine.sketch.seed must be in [0, 2^32 - 1] (got ${seed})`);
  }
  return {
    width,
    depth: spec?.depth ?? defaults.depth,
    subWindows,
    capacity: spec?.capacity ?? defaults.capacity,
    falsePositiveRate: spec?.false_positive_rate ?? defaults.falsePositiveRate,
    candidates: spec?.candidates ?? defaults.candidates,
    recentEvents,
    seed,
  };
}

/**
 * The count-min estimate at which a threshold rule's group becomes a candidate (gets an exact
 * record): an eighth of `count_above` + 1 or half of `distinct.above` + 1, the smaller, and at least
 * 2 where the thresholds allow. It never exceeds either threshold + 1 (a group below the gate is then below both: no miss).
 * Lower means the group's history before the record is shorter (it comes from the recent-event
 * log, which covers the last minutes even at millions of events per hour) at the price of more
 * candidates; see sketch-defaults' header for the measured trade-off.
 */
export function thresholdGate(countAbove: number | undefined, distinctAbove: number | undefined): number {
  const byCount = countAbove !== undefined ? Math.ceil((countAbove + 1) / 8) : Infinity;
  const byDistinct = distinctAbove !== undefined ? Math.ceil((distinctAbove + 1) / 2) : Infinity;
  return Math.min(Math.max(2, Math.min(byCount, byDistinct)), (countAbove ?? Infinity) + 1, (distinctAbove ?? Infinity) + 1);
}

/**
 * Counter width for a sketch that decides "more than `threshold`": the narrowest (8, 16, 32 bits)
 * whose maximum is at least 2 x threshold + 2. A sub-window counter that saturates then still
 * reads above the threshold, and so does the estimate before the event that the crossing test
 * derives from it (the estimate minus the event's own contribution), with as much room above the
 * threshold as below. `count_above: 50` and `distinct.above: 10` give 8 bits (up to 126 does).
 */
export function counterBitsFor(threshold: number): CounterBits {
  for (const bits of [8, 16] as const) if (maxCountFor(bits) >= 2 * threshold + 2) return bits;
  return 32;
}

/**
 * A default width given for 8-bit counters, scaled to the same memory for wider counters: halved
 * for 16 bits, quartered for 32. A width a rule sets in `engine.sketch.width` is used as is.
 */
export function widthForCounterBits(width8: number, bits: CounterBits): number {
  return Math.max(2, (width8 * 8) / bits);
}
