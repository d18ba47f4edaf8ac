import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { parseDuration, formatDuration } from '../ruleset/duration.js';
import { fieldValues, type RuleField } from '../ruleset/field-path.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import type { CounterBits } from '../sketch/count-min-table.js';
import { WindowedCountMin } from '../sketch/windowed-count-min.js';
import { WindowedDistinctCounter } from '../sketch/windowed-distinct.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { configFingerprint, decodeEngineState, decodeScalars, encodeEngineState, encodeScalars, restoreSection } from './engine-state.js';
import { groupKey, groupRecord } from './group-key.js';
import { FiredGroups } from './fired-groups.js';
import { LatenessGate } from './lateness-gate.js';
import { RecentSamples } from './recent-samples.js';
import { counterBitsFor, resolveSketch, SKETCH_DEFAULTS, widthForCounterBits, type ResolvedSketch } from './sketch-defaults.js';
import { maxOverWindowsContaining, type WindowQuery } from './window-span.js';

export type ThresholdSpec = Extract<EngineSpec, { type: 'threshold' }>;

class CountQuery implements WindowQuery {
  constructor(readonly sketch: WindowedCountMin) {}
  get clock() {
    return this.sketch.clock;
  }
  query(key: string, endMs: number): number {
    return this.sketch.estimate(key, endMs, 'covering');
  }
}

/**
 * Values of the distinct field read by a group in the window: events (the count sketch) plus the
 * values beyond the first of multi-value events (a small sketch). The distinct count can never
 * exceed it, and it is far more exact than the distinct counter's per-group counts (conservative
 * update, one increment per event): min(distinct, this) keeps the quiet majority of groups, whose
 * few reads cannot hold 11 distinct secrets, from false alerts by collisions in the distinct
 * counter, whatever its width.
 */
class ValuesBoundQuery implements WindowQuery {
  constructor(
    readonly counts: WindowedCountMin,
    readonly extra: WindowedCountMin,
  ) {}
  get clock() {
    return this.counts.clock;
  }
  query(key: string, endMs: number): number {
    return this.counts.estimate(key, endMs, 'covering') + this.extra.estimate(key, endMs, 'covering');
  }
}

class DistinctQuery implements WindowQuery {
  constructor(readonly sketch: WindowedDistinctCounter) {}
  get clock() {
    return this.sketch.clock;
  }
  query(key: string, endMs: number): number {
    return this.sketch.count(key, endMs, 'covering');
  }
}

/**
 * "More than N events (or N distinct values of a field) per group in a sliding window", firing at
 * the event that crosses the line.
 *
 * Counting never under-counts: count-min estimates are upper bounds, the window read covers
 * every sub-window the window touches (so it may include up to one sub-window of older events:
 * the over-count side), and a late event within the allowed lateness also counts in the windows
 * ending after it (see window-span.ts). It fires only on the crossing, estimate before <= N <
 * estimate after, so a burst gives one finding, not one per further event. Because collisions
 * with other groups can also lift a group's estimate past N between two of its own events (a
 * crossing no event of the group would see), a group over N that has not fired within the last
 * window fires too (see fired-groups.ts): no miss, and still one finding per burst. A group still
 * over N a window after its finding fires again (the detector's throttle decides about alerts).
 *
 * With both `count_above` and `distinct` set, either crossing fires (each once).
 *
 * Counter widths: each sketch uses the narrowest counters (8, 16 or 32 bits) whose maximum is at
 * least twice the threshold it decides (`counterBitsFor`): the event counts for `count_above` and
 * the values bound, the distinct counter's per-group counts for `distinct.above`. A sub-window
 * counter saturates at that maximum instead of wrapping, so an estimate is at least the true count
 * or at least the maximum: above the threshold either way, and the "estimate before" of the
 * crossing test (count - 1, or distinct - new items) stays above it too. With the built-in
 * thresholds (50, 10) that is 8 bits: the default widths (given for 8-bit counters,
 * sketch-defaults.ts) are 4x what 32-bit counters would fit in the same memory. Clamps are
 * therefore expected and harmless here, and are not reported as `saturated` (which counts the
 * distinct counter's pair filters past their capacity: the one overflow that costs accuracy).
 *
 * Per event it builds the group key string and nothing else, except for groups whose estimate
 * passed half a threshold: those keep their last 10 secret ids in a bounded LRU for the alert.
 */
export class ThresholdEngine implements Engine {
  readonly windowMs: number;
  readonly sketch: ResolvedSketch;
  /** Counter width of the event counts and of the values beyond the first (see the class comment). */
  readonly countBits: CounterBits;
  /** Counter width of the distinct counter's per-group counts. */
  readonly distinctBits: CounterBits;
  private readonly groupBy: readonly RuleField[];
  private readonly countAbove: number | undefined;
  private readonly distinctField: RuleField | undefined;
  private readonly distinctAbove: number | undefined;
  private counts: WindowedCountMin | undefined;
  private distinct: WindowedDistinctCounter | undefined;
  private countQuery: CountQuery | undefined;
  /** Values beyond the first per event, per group (distinct rules only; see ValuesBoundQuery). */
  private extraValues: WindowedCountMin | undefined;
  private boundQuery: ValuesBoundQuery | undefined;
  private distinctQuery: DistinctQuery | undefined;
  private readonly gate: LatenessGate;
  private readonly samples = new RecentSamples();
  private countFired: FiredGroups;
  private distinctFired: FiredGroups;
  private readonly sampleCountFrom: number;
  private readonly sampleDistinctFrom: number;
  private readonly fingerprint: number;
  private readonly allowedLatenessMs: number;

  constructor(spec: ThresholdSpec, options: EngineOptions) {
    this.windowMs = parseDuration(spec.window) ?? NaN;
    this.groupBy = spec.group_by;
    this.countAbove = spec.count_above;
    this.distinctField = spec.distinct?.field;
    this.distinctAbove = spec.distinct?.above;
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.sketch = resolveSketch(SKETCH_DEFAULTS.threshold, spec.sketch, this.windowMs, 'window');
    // The event counts decide count_above and bound the distinct count (ValuesBoundQuery).
    this.countBits = counterBitsFor(Math.max(this.countAbove ?? 0, this.distinctAbove ?? 0));
    this.distinctBits = counterBitsFor(this.distinctAbove ?? 0);
    this.gate = new LatenessGate(options.allowedLatenessMs);
    this.countFired = new FiredGroups(this.windowMs, this.allowedLatenessMs);
    this.distinctFired = new FiredGroups(this.windowMs, this.allowedLatenessMs);
    // A width the rule sets is taken as is; the default ones are for 8-bit counters (same memory).
    const explicitWidth = spec.sketch?.width;
    // Distinct rules count events too: the count bounds the distinct count (ValuesBoundQuery).
    if (this.countAbove !== undefined || this.distinctField !== undefined) {
      this.counts = this.newCounts(explicitWidth ?? widthForCounterBits(this.sketch.width, this.countBits));
      this.countQuery = new CountQuery(this.counts);
    }
    if (this.distinctField !== undefined) {
      this.distinct = this.newDistinct(explicitWidth ?? widthForCounterBits(SKETCH_DEFAULTS.thresholdDistinctWidth, this.distinctBits));
      this.distinctQuery = new DistinctQuery(this.distinct);
      this.extraValues = this.newCounts(widthForCounterBits(SKETCH_DEFAULTS.thresholdExtraValuesWidth, this.countBits));
      this.boundQuery = new ValuesBoundQuery(this.counts!, this.extraValues);
    }
    // Sample a group's secrets once it is half way to a threshold.
    this.sampleCountFrom = (this.countAbove ?? Infinity) / 2;
    this.sampleDistinctFrom = (this.distinctAbove ?? Infinity) / 2;
    this.fingerprint = configFingerprint([
      'threshold', this.groupBy.join(','), this.windowMs, this.countAbove !== undefined, this.distinctField,
      this.sketch.width, this.sketch.depth, this.sketch.subWindows, this.sketch.capacity, this.sketch.falsePositiveRate,
      this.sketch.seed, this.counts?.width, this.countBits, this.distinct?.groupWidth, this.distinctBits,
      this.distinct?.byteLength, this.extraValues?.byteLength, this.allowedLatenessMs,
    ]);
  }

  private newCounts(width: number): WindowedCountMin {
    const s = this.sketch;
    return new WindowedCountMin({
      windowMs: this.windowMs,
      subWindows: s.subWindows,
      allowedLatenessMs: this.allowedLatenessMs,
      width,
      depth: s.depth,
      seed: s.seed,
      conservative: true,
      counterBits: this.countBits,
    });
  }

  private newDistinct(groupWidth: number): WindowedDistinctCounter {
    const s = this.sketch;
    return new WindowedDistinctCounter({
      windowMs: this.windowMs,
      subWindows: s.subWindows,
      allowedLatenessMs: this.allowedLatenessMs,
      expectedPairsPerSubWindow: s.capacity,
      falsePositiveRate: s.falsePositiveRate,
      groupWidth,
      groupDepth: s.depth,
      seed: s.seed,
      counterBits: this.distinctBits,
    });
  }

  observe(event: SecretAccessEvent): Finding | undefined {
    const t = event.time_ms;
    if (!this.gate.admit(t)) return undefined;
    const key = groupKey(event, this.groupBy, false)!;
    let count = -1;
    let countFires = false;
    const counts = this.counts;
    if (counts !== undefined) counts.add(key, t);
    if (counts !== undefined && this.countAbove !== undefined) {
      count =
        Math.floor(t / counts.clock.bucketMs) === counts.clock.newestBucket
          ? counts.estimate(key, t, 'covering')
          : maxOverWindowsContaining(this.countQuery!, key, t);
      // Every window read holds this event's sub-window, whose estimate rose by exactly 1: the
      // estimate before the event is count - 1. A clamp cannot matter below it: a sub-window
      // already at the maximum (>= 2 x countAbove + 2) keeps count - 1 above countAbove.
      countFires = count > this.countAbove && this.countFired.admit(key, t, count - 1 <= this.countAbove);
    }
    let distinct = -1;
    let distinctFires = false;
    const dc = this.distinct;
    if (dc !== undefined) {
      const items = fieldValues(event, this.distinctField!);
      // In order, a pair already in the window only moves inside it: the count rises by the
      // number of new pairs. A late event can move pairs between windows: read before and after.
      const inOrder = Math.floor(t / dc.clock.bucketMs) >= dc.clock.newestBucket;
      const before = inOrder || items.length === 0 ? 0 : maxOverWindowsContaining(this.distinctQuery!, key, t);
      let added = 0;
      for (let i = 0; i < items.length; i++) if (dc.add(key, items[i]!, t) === 'new') added++;
      if (items.length > 1) this.extraValues!.add(key, t, items.length - 1);
      distinct = inOrder ? dc.count(key, t, 'covering') : maxOverWindowsContaining(this.distinctQuery!, key, t);
      const above = this.distinctAbove!;
      if (distinct > above) {
        // Rare: only now read the bound (the window's values; the event added items.length).
        const bound = inOrder ? this.boundQuery!.query(key, t) : maxOverWindowsContaining(this.boundQuery!, key, t);
        const wasAbove = Math.min(inOrder ? distinct - added : before, bound - items.length) > above;
        distinct = Math.min(distinct, bound);
        distinctFires = items.length > 0 && distinct > above && this.distinctFired.admit(key, t, !wasAbove);
      }
    }
    if (count > this.sampleCountFrom || distinct > this.sampleDistinctFrom) this.samples.record(key, event.secrets);
    if (!countFires && !distinctFires) return undefined;
    return this.finding(event, key, count, distinct, !countFires);
  }

  private finding(event: SecretAccessEvent, key: string, count: number, distinct: number, byDistinct: boolean): Finding {
    const window = formatDuration(this.windowMs);
    const measures: Record<string, number | string | string[]> = {};
    if (this.countAbove !== undefined) measures['count'] = count;
    if (this.distinct !== undefined) {
      if (this.distinctField === 'secrets') measures['distinct_secrets'] = distinct;
      else {
        measures['distinct_values'] = distinct;
        measures['distinct_field'] = this.distinctField!;
      }
    }
    measures['window_seconds'] = this.windowMs / 1000;
    measures['sample_secrets'] = this.samples.get(key);
    const what =
      !byDistinct ? `made ${count} matching calls`
      : this.distinctField === 'secrets' ? `read ${distinct} distinct secrets`
      : `used ${distinct} distinct values of ${this.distinctField}`;
    return { event, group: groupRecord(event, this.groupBy), summary: `${what} in ${window}`, measures };
  }

  stats(): EngineStats {
    const c = this.counts;
    const d = this.distinct;
    return {
      memory_bytes: (c?.byteLength ?? 0) + (d?.byteLength ?? 0) + (this.extraValues?.byteLength ?? 0),
      late_events: this.gate.late,
      // Counter clamps are by design (see the class comment): only the pair filters count.
      saturated: d?.saturated === true ? 1 : 0,
    };
  }

  snapshot(): Uint8Array {
    const sections = [
      encodeScalars([this.gate.latestMs, this.gate.late]),
      this.countFired.serialize(),
      this.distinctFired.serialize(),
    ];
    if (this.counts !== undefined) sections.push(this.counts.serialize());
    if (this.distinct !== undefined) sections.push(this.distinct.serialize(), this.extraValues!.serialize());
    return encodeEngineState('threshold', this.fingerprint, sections);
  }

  restore(bytes: Uint8Array): void {
    const expected = 3 + (this.counts !== undefined ? 1 : 0) + (this.distinct !== undefined ? 2 : 0);
    const sections = decodeEngineState(bytes, 'threshold', this.fingerprint, expected);
    const [latestMs, late] = decodeScalars(sections[0]!, 2) as [number, number];
    const readFired = (b: Uint8Array) => FiredGroups.deserialize(b, this.windowMs, this.allowedLatenessMs);
    const countFired = restoreSection('fired groups', sections[1]!, readFired, () => true);
    const distinctFired = restoreSection('fired groups', sections[2]!, readFired, () => true);
    let at = 3;
    const counts =
      this.counts === undefined ? undefined
      : restoreSection('counts', sections[at++]!, (b) => WindowedCountMin.deserialize(b), (s) => sameCountShape(s, this.counts!));
    const distinct =
      this.distinct === undefined ? undefined
      : restoreSection('distinct', sections[at++]!, (b) => WindowedDistinctCounter.deserialize(b), (s) => sameDistinctShape(s, this.distinct!));
    const extraValues =
      this.extraValues === undefined ? undefined
      : restoreSection('extra values', sections[at++]!, (b) => WindowedCountMin.deserialize(b), (s) => sameCountShape(s, this.extraValues!));
    // Nothing is replaced until every section read: a failed restore leaves the engine as it was.
    this.gate.latestMs = latestMs;
    this.gate.late = late;
    this.countFired = countFired;
    this.distinctFired = distinctFired;
    if (counts !== undefined) {
      this.counts = counts;
      this.countQuery = new CountQuery(counts);
    }
    if (distinct !== undefined && extraValues !== undefined) {
      this.distinct = distinct;
      this.distinctQuery = new DistinctQuery(distinct);
      this.extraValues = extraValues;
      this.boundQuery = new ValuesBoundQuery(this.counts!, extraValues);
    }
  }
}

function sameCountShape(a: WindowedCountMin, b: WindowedCountMin): boolean {
  return (
    a.width === b.width && a.depth === b.depth && a.seed === b.seed && a.counterBits === b.counterBits &&
    a.clock.slots === b.clock.slots && a.clock.windowMs === b.clock.windowMs
  );
}

function sameDistinctShape(a: WindowedDistinctCounter, b: WindowedDistinctCounter): boolean {
  return a.byteLength === b.byteLength && a.groupWidth === b.groupWidth && a.counterBits === b.counterBits && a.clock.slots === b.clock.slots;
}
