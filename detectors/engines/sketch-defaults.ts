import { SecretwatchError } from '../../src/errors/codes.js';
import type { SketchSpec } from '../ruleset/rule-schema.js';
import { maxCountFor, type CounterBits } from '../sketch/count-min-table.js';

/**
 * Default sizes of every engine's state, in one place, with the reasoning. A rule overrides any of
 * them in `engine.sketch` (width, depth, sub_windows, capacity, false_positive_rate, candidates,
 * recent_events, seed).
 *
 * The budget: all rules together under 64 MiB, sized for the busiest stream we plan for
 * (1,000,000 distinct (principal, IP) groups, 3,000,000 reads an hour: bench/accuracy.bench.ts and
 * bench/edge-accuracy.bench.ts). Memory of a windowed sketch is (size per sub-window) x R ring
 * slots, R = S + ceil(L / B) + 1 (S sub-windows of B = W / S, L = allowed lateness, 15 min by
 * default). Totals with the built-in rules (exact parts at their bounds): threshold 33.4 MiB,
 * multi_provider 16 MiB, new_terms 5.5 MiB each, sequence 1.5 MiB: 62.0 MiB, whatever the
 * number of groups.
 *
 * - threshold gate: width 2^19 x depth 4 x 8-bit counters, 4 sub-windows (15 min of 1 h), R = 6:
 *   12 MiB. The sketch only decides "below the gate" (11 for the spike rule, see thresholdGate),
 *   so its counters need to reach the gate, not the threshold (counterBitsFor(gate): 8 bits up to
 *   126). Gate and width together decide how many quiet groups become candidates; measured on
 *   the `edges` workload (1,000,000 applications reading about 3 times an hour for 6 hours), a
 *   gate of 6 or 7 made a third of their reads candidacies whatever the width, and the records
 *   churned; at 11 the quiet ones stay below it.
 * - threshold exact state: 6,144 candidate groups (the acceptance workload holds 4,000 groups
 *   busy near a threshold at once: with 3,072 slots their records churned), each at most
 *   (N + 2) x (W + L) / W event times and 2 x (distinct.above + 1) x (W + L) / W value occurrences:
 *   a bound of 10.9 MiB (measured use is far below: most candidates hold a few events). A
 *   recent-event log of 2^19 entries (10.5 MiB) gives a new candidate its history to the
 *   millisecond: 10 minutes of the stress stream, the whole hour below 500,000 reads an hour (with
 *   2^18, 5 minutes, one crossing of the edges workload was seen 18 s late). What the log no
 *   longer holds is known by sub-window only: at the stress, a group that sweeps secrets slowly
 *   from a cold start (15..30 reads over an hour) can be counted short in its first window
 *   (bench/accuracy.bench.ts: 11 of 50 such sweeps missed at 3,000,000 reads an hour, none at
 *   300,000).
 * - new_terms: 10 sub-windows over the history (1 day of 10 d, 3 days of 30 d): the history may
 *   reach one sub-window further back (a term returns as "seen" for up to one sub-window longer),
 *   a fair price for 12 slots instead of 32. 200,000 new terms per sub-window at 0.1%: 5.5 MiB.
 *   Both new_terms rules share this default. At the stress, secret_access_new_source (30 d) sees
 *   1,000,000 new (principal, IP) pairs in one 3-day sub-window: 5x its capacity, so that
 *   sub-filter saturates (`saturated` = 1; measured: 68% of the next new pairs taken for seen
 *   until it expires). Holding 1,000,000 per sub-window costs 27.5 MiB per rule, so the default is
 *   unchanged: a site expecting such bursts sets `engine.sketch.capacity` in that rule.
 * - sequence: failures are rare: exact failure times for 2,048 groups with failures in reach, at
 *   most (N + 2) x (W + L) / W each: a bound of 1.5 MiB.
 * - multi_provider: the last time per cloud of 2^19 groups (source IPs) seen within the window
 *   plus the lateness, in 2^20 slots of 16 bytes: 16 MiB. At the stress about 700,000 IPs are
 *   live at once (25 minutes of 3,000,000 reads over 1,000,000 IPs); 16 probe slots keep the
 *   evictions of live IPs rare (`saturated`).
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
  threshold: { width: 2 ** 19, depth: 4, subWindows: 4, capacity: 0, falsePositiveRate: 0, candidates: 6_144, recentEvents: 2 ** 19 },
  new_terms: { width: 0, depth: 0, subWindows: 10, capacity: 200_000, falsePositiveRate: 0.001, candidates: 0, recentEvents: 0 },
  /** `candidates`: groups with failures on record. */
  sequence: { width: 0, depth: 0, subWindows: 1, capacity: 0, falsePositiveRate: 0, candidates: 2_048, recentEvents: 0 },
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
 * record): a quarter of `count_above` + 1 or `distinct.above` + 1, the smaller, and at least
 * 2 where the thresholds allow. It never exceeds either threshold + 1 (a group below the gate is then below both: no miss).
 * Lower means the group's history before the record is shorter (it comes from the recent-event
 * log, which covers the last minutes even at millions of events per hour) at the price of more
 * candidates; see sketch-defaults' header for the measured trade-off.
 */
export function thresholdGate(countAbove: number | undefined, distinctAbove: number | undefined): number {
  const byCount = countAbove !== undefined ? Math.ceil((countAbove + 1) / 4) : Infinity;
  const byDistinct = distinctAbove !== undefined ? distinctAbove + 1 : Infinity;
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
