import { SecretwatchError } from '../../src/errors/codes.js';
import type { SketchSpec } from '../ruleset/rule-schema.js';

/**
 * Default sketch sizes of every engine, in one place, with the reasoning. A rule overrides any of
 * them in `engine.sketch` (width, depth, sub_windows, capacity, false_positive_rate, seed).
 *
 * The budget: all rules together under 64 MB, sized for the busiest stream we plan for
 * (1,000,000 distinct (principal, IP) groups, 3,000,000 reads in one hour: bench/accuracy.bench.ts).
 * Memory of a windowed sketch is (size per sub-window) x R ring slots, R = S + ceil(L / B) + 1
 * (S sub-windows of B = W / S, L = allowed lateness, 15 min by default): lateness costs slots.
 * Totals with the built-in rules: threshold 39.9 MiB, new_terms 5.5 MiB each, sequence 3.5 MiB,
 * multi_provider 3.0 MiB: 57.4 MiB.
 *
 * - threshold counts: width 2^18 x depth 4 x 4-byte counters, 4 sub-windows (15 min of 1 h),
 *   R = 6: 24 MiB. The sketches have 32-bit counters only; at this width and ~550,000 groups per
 *   sub-window most quiet groups are over-counted by a few reads (measured at the stress above:
 *   24% exact, mean over-count 2, max 29), which never matters for `count_above: 50` (0 false and 0
 *   missed count alerts outside counts 40..60) but does for small thresholds. With 8-bit
 *   saturating counters (enough below 255) the same 24 MiB would hold width 2^20, where 95% of
 *   groups are exact (max over-count 13): the first thing to change once the sketches offer it.
 *   The window read may include up to one extra sub-window (over-count side, never a miss).
 * - threshold distinct: per sub-window a Bloom filter of (group, item) pairs for 750,000 pairs
 *   (the stress puts ~650,000 in 15 min) at 0.1% over a window read (a false positive hides one
 *   new item: the only under-count), 10.3 MiB; per-group counts in a count-min of width 2^16 x 4
 *   (plain update: the counter moves pairs between sub-windows), 6 MiB; and a 2^12 x 4 sketch of
 *   values beyond the first per event, 0.4 MiB, which with the event count bounds the distinct
 *   count (see threshold.ts): that bound removes almost all false distinct alerts of quiet groups
 *   (about 150 of 1,000,000 left at the stress). Groups that read many times but few distinct secrets (30..40
 *   reads of 5..9 secrets) still get over-counted by collisions at this width: 45 of 50 such groups
 *   alerted at the stress; width 2^17 (+6 MiB) -> 29, 2^20 with 2^20 counts -> 0. Again, 8-bit
 *   counters would buy 4x the width for the same memory.
 * - new_terms: 10 sub-windows over the history (1 day of 10 d, 3 days of 30 d): the history may
 *   reach one sub-window further back (a term returns as "seen" for up to one sub-window longer),
 *   a fair price for 12 slots instead of 32. 200,000 new terms per sub-window at 0.1%: 5.5 MiB.
 * - sequence: preceding events (failures) are rare: width 2^13 x 4 per sub-window, 5 sub-windows
 *   (2 min of 10 min, R = 14), two sketches (failures and consumed): 3.5 MiB.
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
  seed: number;
}

type Defaults = Omit<ResolvedSketch, 'seed'>;

export const SKETCH_DEFAULTS = {
  threshold: { width: 2 ** 18, depth: 4, subWindows: 4, capacity: 750_000, falsePositiveRate: 0.001 },
  /** Width of the distinct counter's per-group counts when the rule does not set `width`. */
  thresholdDistinctWidth: 2 ** 16,
  /** Width of the sketch of values beyond the first per event (multi-secret calls; few). */
  thresholdExtraValuesWidth: 2 ** 12,
  new_terms: { width: 0, depth: 0, subWindows: 10, capacity: 200_000, falsePositiveRate: 0.001 },
  sequence: { width: 2 ** 13, depth: 4, subWindows: 5, capacity: 0, falsePositiveRate: 0 },
  multi_provider: { width: 0, depth: 0, subWindows: 5, capacity: 100_000, falsePositiveRate: 0.001 },
} as const satisfies Record<string, Defaults | number>;

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
    seed,
  };
}
