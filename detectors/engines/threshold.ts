import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { parseDuration, formatDuration } from '../ruleset/duration.js';
import { fieldValues, type RuleField } from '../ruleset/field-path.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import type { CounterBits } from '../sketch/count-min-table.js';
import { KeyHasher } from '../sketch/key-hasher.js';
import { LOG_FIRST_OF_EVENT, LOG_HAS_VALUE, RecentLog } from '../sketch/recent-log.js';
import { WindowedCountMin } from '../sketch/windowed-count-min.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { configFingerprint, decodeEngineState, decodeScalars, encodeEngineState, encodeScalars, restoreSection } from './engine-state.js';
import { CandidateGroups } from './candidate-groups.js';
import { groupKey, groupRecord } from './group-key.js';
import { FiredGroups } from './fired-groups.js';
import { GroupTimeline } from './group-timeline.js';
import { LatenessGate } from './lateness-gate.js';
import { RecentSamples } from './recent-samples.js';
import { counterBitsFor, resolveSketch, SKETCH_DEFAULTS, thresholdGate, widthForCounterBits, type ResolvedSketch } from './sketch-defaults.js';
import { maxOverWindowsContaining, type WindowQuery } from './window-span.js';

export type ThresholdSpec = Extract<EngineSpec, { type: 'threshold' }>;

const NO_VALUES: readonly string[] = [];
/** Seed of the value hashes (distinct counts), apart from the group hashes. */
const VALUE_SEED = 0x5eed;

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
 * "More than N events (or N distinct values of a field) per group in a sliding window (t - W, t]",
 * decided as exact counting would, firing at the event that crosses the line. The semantics,
 * late events included, are in detectors/engines/README.md.
 *
 * How, with memory fixed whatever the number of groups (the heavy-hitters pattern):
 * 1. A windowed count-min sketch counts every group's events by sub-window. Its `covering` read
 *    never under-counts, so a group whose estimate is below the gate (a fraction of the smallest
 *    threshold, `thresholdGate`) cannot be over either threshold: no finding, nothing else to do.
 *    That is the quiet majority.
 * 2. A group whose estimate reaches the gate becomes a candidate: it gets an exact record
 *    (GroupTimeline) of its event times and values, bounded in number (CandidateGroups, least
 *    recently used out, counted), and every decision about it is taken on that record.
 * 3. Its events from before it became a candidate come from the recent-event log (RecentLog: the
 *    last `recent_events` events of the rule, exactly). Only events that already left the log
 *    are known by sub-window alone (from the sketch): they count toward a window only when their
 *    whole sub-window lies inside it, so an event older than W never counts; the price is a
 *    possible under-count of such events in the one sub-window at the window's old edge, during
 *    the first W after the group became a candidate (counted in `approximate_prefixes`).
 * So the count of (t - W, t] of a candidate is exact, unless the log was too short for its history
 * (see 3) or two groups' keys collide in the log (30-bit hashes in the same head bucket: 2^-30 per
 * pair) or two values' 32-bit hashes collide within one group (distinct counts).
 *
 * Firing: the count part fires when After > N and (Before <= N, the crossing, or the group's last
 * count finding is a whole window away: a group still over N fires again; the detector's throttle
 * decides about alerts). The distinct part the same with its own memory. Either gives a finding.
 */
export class ThresholdEngine implements Engine {
  readonly windowMs: number;
  readonly sketch: ResolvedSketch;
  /** Counter width of the event counts (see counterBitsFor). */
  readonly countBits: CounterBits;
  /** Estimate at which a group becomes a candidate. */
  readonly gateAt: number;
  private readonly groupBy: readonly RuleField[];
  private readonly countAbove: number | undefined;
  private readonly distinctField: RuleField | undefined;
  private readonly distinctAbove: number | undefined;
  private counts: WindowedCountMin;
  private countQuery: CountQuery;
  private log: RecentLog;
  private candidates: CandidateGroups<GroupTimeline>;
  private readonly maxEvents: number;
  private readonly maxValues: number;
  private readonly keyHasher: KeyHasher;
  private readonly valueHasher: KeyHasher;
  private readonly gate: LatenessGate;
  private readonly samples = new RecentSamples();
  private countFired: FiredGroups;
  private distinctFired: FiredGroups;
  /** Candidates created with events known only by sub-window (the log was too short for them). */
  private approximatePrefixes = 0;
  /** Candidates that dropped an entry to their caps while it could still matter. */
  private overflows = 0;
  private readonly sampleCountFrom: number;
  private readonly sampleDistinctFrom: number;
  private readonly fingerprint: number;
  private readonly allowedLatenessMs: number;
  private readonly ends: number[] = [];
  private readonly scratch = new Set<number>();
  private valueHashes: number[] = [];

  constructor(spec: ThresholdSpec, options: EngineOptions) {
    this.windowMs = parseDuration(spec.window) ?? NaN;
    this.groupBy = spec.group_by;
    this.countAbove = spec.count_above;
    this.distinctField = spec.distinct?.field;
    this.distinctAbove = spec.distinct?.above;
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.sketch = resolveSketch(SKETCH_DEFAULTS.threshold, spec.sketch, this.windowMs, 'window');
    this.gateAt = thresholdGate(this.countAbove, this.distinctAbove);
    // The sketch only gates: it decides "below the gate", so its counters need to reach the gate.
    this.countBits = counterBitsFor(this.gateAt);
    this.gate = new LatenessGate(options.allowedLatenessMs);
    this.countFired = new FiredGroups(this.windowMs, this.allowedLatenessMs);
    this.distinctFired = new FiredGroups(this.windowMs, this.allowedLatenessMs);
    // A width the rule sets is taken as is; the default one is for 8-bit counters (same memory).
    this.counts = this.newCounts(spec.sketch?.width ?? widthForCounterBits(this.sketch.width, this.countBits));
    this.countQuery = new CountQuery(this.counts);
    this.log = new RecentLog(this.sketch.recentEvents);
    this.candidates = new CandidateGroups(this.sketch.candidates, candidateWeight);
    // Caps above the thresholds (see GroupTimeline): N + 2 events decide every in-order crossing.
    // A late event's windows reach back W + lateness, which a group reading at an even rate of up
    // to N + 2 per window fills with (N + 2) x (W + lateness) / W events: kept too, so that such
    // late events are decided exactly. Values: twice the distinct threshold (a value can repeat),
    // scaled the same way. Beyond the caps a group is well over its threshold.
    const reach = (this.windowMs + this.allowedLatenessMs) / this.windowMs;
    this.maxEvents = Math.ceil(((this.countAbove ?? this.distinctAbove ?? 0) + 2) * reach);
    this.maxValues = this.distinctAbove !== undefined ? Math.ceil(2 * (this.distinctAbove + 1) * reach) : 0;
    this.keyHasher = new KeyHasher(this.sketch.seed);
    this.valueHasher = new KeyHasher(this.sketch.seed ^ VALUE_SEED);
    // Sample a group's secrets once it is half way to a threshold.
    this.sampleCountFrom = (this.countAbove ?? Infinity) / 2;
    this.sampleDistinctFrom = (this.distinctAbove ?? Infinity) / 2;
    this.fingerprint = configFingerprint([
      'threshold-exact', this.groupBy.join(','), this.windowMs, this.countAbove !== undefined, this.distinctField,
      this.sketch.width, this.sketch.depth, this.sketch.subWindows, this.sketch.seed, this.counts.width, this.countBits,
      this.gateAt, this.sketch.candidates, this.sketch.recentEvents, this.maxEvents, this.maxValues, this.allowedLatenessMs,
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

  observe(event: SecretAccessEvent): Finding | undefined {
    const t = event.time_ms;
    if (!this.gate.admit(t)) return undefined;
    const key = groupKey(event, this.groupBy, false)!;
    const values = this.distinctField !== undefined ? fieldValues(event, this.distinctField) : NO_VALUES;
    // The gate must bound the distinct count too: a multi-value event counts once per value.
    const counts = this.counts;
    counts.add(key, t, Math.max(1, values.length));
    this.keyHasher.hash(key);
    const keyHash = this.keyHasher.h1;
    const hashes = this.hashValues(values);
    const newest = this.gate.latestMs;
    let rec = this.candidates.get(key);
    if (rec === undefined) {
      const inOrder = Math.floor(t / counts.clock.bucketMs) === counts.clock.newestBucket;
      const estimate = inOrder ? counts.estimate(key, t, 'covering') : maxOverWindowsContaining(this.countQuery, key, t);
      if (estimate < this.gateAt) {
        this.logEvent(keyHash, hashes, t);
        return undefined;
      }
      rec = this.promote(key, keyHash, t);
    }
    this.logEvent(keyHash, hashes, t);
    rec.prune(newest - this.windowMs - this.allowedLatenessMs);
    const W = this.windowMs;
    const ends = rec.windowEnds(t, Math.min(newest, t + W - 1), this.ends);
    const countBefore = this.countAbove !== undefined ? rec.maxCount(ends, W) : -1;
    const distinctBefore = this.distinctAbove !== undefined && hashes.length > 0 ? rec.maxDistinct(ends, W, this.scratch) : -1;
    const wasOverflowed = rec.overflowed;
    rec.addEvent(t);
    for (const h of hashes) rec.addValue(t, h);
    if (rec.overflowed && !wasOverflowed) this.overflows++;
    let count = -1;
    let countFires = false;
    if (this.countAbove !== undefined) {
      count = ends.length === 1 ? countBefore + 1 : rec.maxCount(ends, W);
      countFires = count > this.countAbove && this.countFired.admit(key, t, countBefore <= this.countAbove);
    }
    let distinct = -1;
    let distinctFires = false;
    if (this.distinctAbove !== undefined) {
      distinct = rec.maxDistinct(ends, W, this.scratch);
      distinctFires = hashes.length > 0 && distinct > this.distinctAbove && this.distinctFired.admit(key, t, distinctBefore <= this.distinctAbove);
    }
    if (count > this.sampleCountFrom || distinct > this.sampleDistinctFrom) this.samples.record(key, event.secrets);
    if (!countFires && !distinctFires) return undefined;
    // A count from a record that had to forget some of the window's events is a lower bound.
    const countExact = count < 0 || ends.every((s) => rec.countIsExactIn(s, W));
    return this.finding(event, key, count, countExact, distinct, !countFires);
  }

  /** The 32-bit hashes of an event's distinct-field values (reused array). */
  private hashValues(values: readonly string[]): number[] {
    const out = this.valueHashes;
    out.length = 0;
    for (const v of values) {
      this.valueHasher.hash(v);
      out.push(this.valueHasher.h1);
    }
    return out;
  }

  private logEvent(keyHash: number, hashes: readonly number[], t: number): void {
    if (hashes.length === 0) {
      this.log.append(keyHash, 0, t, LOG_FIRST_OF_EVENT);
      return;
    }
    for (let i = 0; i < hashes.length; i++) this.log.append(keyHash, hashes[i]!, t, (i === 0 ? LOG_FIRST_OF_EVENT : 0) | LOG_HAS_VALUE);
  }

  /**
   * Makes `key` a candidate: its earlier events from the recent-event log, exactly, and those
   * that left the log from the sketch's sub-windows (the current event, at `t`, is in the sketch
   * already and in neither list: the caller adds it).
   */
  private promote(key: string, keyHash: number, t: number): GroupTimeline {
    const rec = new GroupTimeline(this.maxEvents, this.maxValues);
    this.log.forEachOf(keyHash, (time, aux, flags) => {
      if ((flags & LOG_FIRST_OF_EVENT) !== 0) rec.addEvent(time);
      if ((flags & LOG_HAS_VALUE) !== 0) rec.addValue(time, aux);
    });
    const evictedUpTo = this.log.evictedMaxTimeMs;
    if (evictedUpTo > -Infinity) {
      const bucketMs = this.counts.clock.bucketMs;
      const ownBucket = Math.floor(t / bucketMs);
      for (const [bucket, estimate] of this.counts.bucketEstimates(key)) {
        const start = bucket * bucketMs;
        if (start > evictedUpTo) continue; // every event of this sub-window is still in the log
        const end = Math.min(start + bucketMs, evictedUpTo + 1);
        // The sketch counts an event once per value (at least once): compare like with like.
        const logged = Math.max(rec.countIn(start + bucketMs - 1, bucketMs), valuesIn(rec, start, start + bucketMs));
        const unknown = estimate - logged - (bucket === ownBucket ? Math.max(1, this.valueHashes.length) : 0);
        if (unknown > 0) rec.approx.push(start, end, unknown);
      }
      if (rec.approx.length > 0) this.approximatePrefixes++;
    }
    this.candidates.add(key, rec);
    return rec;
  }

  private finding(event: SecretAccessEvent, key: string, count: number, countExact: boolean, distinct: number, byDistinct: boolean): Finding {
    const window = formatDuration(this.windowMs);
    const measures: Record<string, number | string | string[] | boolean> = {};
    if (this.countAbove !== undefined) measures['count'] = count;
    if (!countExact) measures['count_is_lower_bound'] = true;
    if (this.distinctAbove !== undefined) {
      if (this.distinctField === 'secrets') measures['distinct_secrets'] = distinct;
      else {
        measures['distinct_values'] = distinct;
        measures['distinct_field'] = this.distinctField!;
      }
    }
    measures['window_seconds'] = this.windowMs / 1000;
    measures['sample_secrets'] = this.samples.get(key);
    const what =
      !byDistinct ? `made ${countExact ? '' : 'at least '}${count} matching calls`
      : this.distinctField === 'secrets' ? `read ${distinct} distinct secrets`
      : `used ${distinct} distinct values of ${this.distinctField}`;
    return { event, group: groupRecord(event, this.groupBy), summary: `${what} in ${window}`, measures };
  }

  /**
   * Upper bound of the candidates' memory: every record at its caps, at 12 bytes a list entry
   * (a double plus growth slack) and 400 bytes a record (objects, lists, map entry, key).
   */
  private candidateBytesBound(): number {
    return this.sketch.candidates * (400 + 12 * (this.maxEvents + 2 * this.maxValues));
  }

  stats(): EngineStats {
    const sketchBytes = this.counts.byteLength + this.log.byteLength;
    const exactBound = this.candidateBytesBound();
    return {
      memory_bytes: sketchBytes + exactBound,
      late_events: this.gate.late,
      saturated: 0,
      exact: {
        bound_bytes: exactBound,
        groups: this.candidates.size,
        capacity: this.sketch.candidates,
        evictions: this.candidates.evictions,
        approximate: this.approximatePrefixes,
        overflows: this.overflows,
      },
    };
  }

  snapshot(): Uint8Array {
    return encodeEngineState('threshold', this.fingerprint, [
      encodeScalars([this.gate.latestMs, this.gate.late, this.candidates.evictions, this.approximatePrefixes, this.overflows]),
      this.countFired.serialize(),
      this.distinctFired.serialize(),
      this.counts.serialize(),
      this.log.serialize(),
      this.candidates.serialize((rec) => rec.toJSON()),
    ]);
  }

  restore(bytes: Uint8Array): void {
    const sections = decodeEngineState(bytes, 'threshold', this.fingerprint, 6);
    const [latestMs, late, evictions, approximate, overflows] = decodeScalars(sections[0]!, 5) as [number, number, number, number, number];
    const readFired = (b: Uint8Array) => FiredGroups.deserialize(b, this.windowMs, this.allowedLatenessMs);
    const countFired = restoreSection('fired groups', sections[1]!, readFired, () => true);
    const distinctFired = restoreSection('fired groups', sections[2]!, readFired, () => true);
    const counts = restoreSection('counts', sections[3]!, (b) => WindowedCountMin.deserialize(b), (s) => sameCountShape(s, this.counts));
    const log = restoreSection('recent events', sections[4]!, (b) => RecentLog.deserialize(b), (l) => l.capacity === this.log.capacity);
    const candidates = restoreSection(
      'candidates',
      sections[5]!,
      (b) => CandidateGroups.deserialize(b, this.sketch.candidates, candidateWeight, (e) => GroupTimeline.fromJSON(e, this.maxEvents, this.maxValues)),
      () => true,
    );
    // Nothing is replaced until every section read: a failed restore leaves the engine as it was.
    this.gate.latestMs = latestMs;
    this.gate.late = late;
    this.countFired = countFired;
    this.distinctFired = distinctFired;
    this.counts = counts;
    this.countQuery = new CountQuery(counts);
    this.log = log;
    candidates.evictions = evictions;
    this.candidates = candidates;
    this.approximatePrefixes = approximate;
    this.overflows = overflows;
  }
}

/** What eviction weighs (see GroupTimeline.weight). */
const candidateWeight = (rec: GroupTimeline): number => rec.weight;

/** Value occurrences of `rec` in [startMs, endMs). */
function valuesIn(rec: GroupTimeline, startMs: number, endMs: number): number {
  let n = 0;
  for (const v of rec.valueTimes) if (v >= startMs && v < endMs) n++;
  return n;
}

function sameCountShape(a: WindowedCountMin, b: WindowedCountMin): boolean {
  return (
    a.width === b.width && a.depth === b.depth && a.seed === b.seed && a.counterBits === b.counterBits &&
    a.clock.slots === b.clock.slots && a.clock.windowMs === b.clock.windowMs
  );
}
