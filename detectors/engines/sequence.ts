import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { SecretwatchError } from '../../src/errors/codes.js';
import { formatDuration, parseDuration } from '../ruleset/duration.js';
import type { RuleField } from '../ruleset/field-path.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { configFingerprint, decodeEngineState, decodeScalars, encodeEngineState, encodeScalars, restoreSection } from './engine-state.js';
import { CandidateGroups } from './candidate-groups.js';
import { groupKey, groupRecord } from './group-key.js';
import { firstAfter, insertSorted } from './group-timeline.js';
import { LatenessGate } from './lateness-gate.js';
import { resolveSketch, SKETCH_DEFAULTS, type ResolvedSketch } from './sketch-defaults.js';

export type SequenceSpec = Extract<EngineSpec, { type: 'sequence' }>;

/** A group's preceding events (failures) still in reach, and the time of its last finding. */
interface FailureRecord {
  /** Failure times, ascending, at most `maxFailures`. */
  times: number[];
  /** Failures at or before this time were used by a finding (-Infinity: none yet). */
  consumedUpTo: number;
  /** Latest failure dropped to the cap (-Infinity: none): a window reaching it counts at least. */
  droppedUpTo: number;
}

/**
 * "At least N preceding events (failures) of the same group within `within` before the final
 * event (a success)": Sigma's `temporal_ordered`, e.g. enumeration that ends in a read.
 *
 * The detector passes events that match either the rule (final) or `preceded_by` (preceding);
 * the engine re-checks both with the predicates it was given. An event that is both is first
 * judged as final (against the failures before it), then counted as preceding.
 *
 * Failures are rare next to reads, so every group with a failure in reach gets an exact record of
 * its failure times (at most `candidates` groups, least recently used out, counted): a final event
 * at t counts the failures in (t - within, t], to the millisecond. After a finding the failures it
 * used are consumed: only failures later than the finding count for the next one. A record
 * holds the newest (N + 2) x (within + lateness) / within failures (an in-order decision needs
 * N; a late one the failures of its window, up to the lateness back) and is dropped once nothing
 * in it can matter any more.
 */
export class SequenceEngine implements Engine {
  readonly withinMs: number;
  readonly sketch: ResolvedSketch;
  private readonly groupBy: readonly RuleField[];
  private readonly atLeast: number;
  private readonly isFinal: ((e: SecretAccessEvent) => boolean) | undefined;
  private readonly isPreceding: (e: SecretAccessEvent) => boolean;
  private records: CandidateGroups<FailureRecord>;
  private readonly maxFailures: number;
  private overflows = 0;
  private readonly gate: LatenessGate;
  private readonly fingerprint: number;
  private readonly allowedLatenessMs: number;

  constructor(spec: SequenceSpec, options: EngineOptions) {
    if (options.isPreceding === undefined) {
      throw new SecretwatchError('SW_RULE_INVALID', 'a sequence engine needs the compiled engine.preceded_by.match (isPreceding)');
    }
    this.isPreceding = options.isPreceding;
    this.isFinal = options.isFinal;
    this.withinMs = parseDuration(spec.within) ?? NaN;
    this.groupBy = spec.group_by;
    this.atLeast = spec.preceded_by.at_least;
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.sketch = resolveSketch(SKETCH_DEFAULTS.sequence, spec.sketch, this.withinMs, 'within');
    this.gate = new LatenessGate(options.allowedLatenessMs);
    this.records = new CandidateGroups(this.sketch.candidates);
    // A late final event counts failures back to W + lateness before the newest event: keep what a
    // group failing at an even rate of up to N + 2 per window holds in that span (as threshold.ts).
    this.maxFailures = Math.ceil((this.atLeast + 2) * ((this.withinMs + this.allowedLatenessMs) / this.withinMs));
    this.fingerprint = configFingerprint([
      'sequence-exact', this.groupBy.join(','), this.withinMs, this.sketch.candidates, this.maxFailures, this.allowedLatenessMs,
    ]);
  }

  observe(event: SecretAccessEvent): Finding | undefined {
    const t = event.time_ms;
    if (!this.gate.admit(t)) return undefined;
    const preceding = this.isPreceding(event);
    const final = this.isFinal !== undefined ? this.isFinal(event) : !preceding;
    // Most events are final (reads) of groups without failures: one lookup while any group has some.
    if (this.records.size === 0 && !preceding) return undefined;
    const key = groupKey(event, this.groupBy, false)!;
    let rec = this.records.get(key);
    // Pruning may drop the whole record: go on without it (a new failure starts a new one).
    if (rec !== undefined && !this.prune(key, rec)) rec = undefined;
    let finding: Finding | undefined;
    if (final && rec !== undefined) {
      const from = Math.max(t - this.withinMs, rec.consumedUpTo);
      const fresh = firstAfter(rec.times, t, 0) - firstAfter(rec.times, from, 0);
      if (fresh >= this.atLeast) {
        rec.consumedUpTo = Math.max(rec.consumedUpTo, t);
        // Failures dropped to the cap inside the window are missing from `fresh`: say "at least".
        const atLeast = rec.droppedUpTo > from;
        finding = {
          event,
          group: groupRecord(event, this.groupBy),
          summary: `called ${event.operation} after ${atLeast ? 'at least ' : ''}${fresh} preceding failures within ${formatDuration(this.withinMs)}`,
          measures: { failures: fresh, window_seconds: this.withinMs / 1000, ...(atLeast ? { failures_is_lower_bound: true } : {}) },
        };
      }
    }
    if (preceding) {
      if (rec === undefined) {
        rec = { times: [], consumedUpTo: -Infinity, droppedUpTo: -Infinity };
        this.records.add(key, rec);
      }
      insertSorted(rec.times, t, undefined, undefined);
      if (rec.times.length > this.maxFailures) {
        rec.droppedUpTo = Math.max(rec.droppedUpTo, rec.times.shift()!);
        this.overflows++;
      }
    }
    return finding;
  }

  /**
   * Drops failures no window can reach any more, and the whole record when nothing in it matters;
   * false when the record is gone.
   */
  private prune(key: string, rec: FailureRecord): boolean {
    const before = this.gate.latestMs - this.allowedLatenessMs - this.withinMs;
    const n = firstAfter(rec.times, before, 0);
    if (n > 0) rec.times.splice(0, n);
    // Failures still to come are at or after newest - lateness, so an older consumption is moot.
    if (rec.times.length > 0 || rec.consumedUpTo >= before + this.withinMs) return true;
    this.records.delete(key);
    return false;
  }

  private boundBytes(): number {
    return this.sketch.candidates * (300 + 16 * this.maxFailures);
  }

  stats(): EngineStats {
    const bound = this.boundBytes();
    return {
      memory_bytes: bound,
      late_events: this.gate.late,
      saturated: 0,
      exact: { bound_bytes: bound, groups: this.records.size, capacity: this.sketch.candidates, evictions: this.records.evictions, approximate: 0, overflows: this.overflows },
    };
  }

  snapshot(): Uint8Array {
    return encodeEngineState('sequence', this.fingerprint, [
      encodeScalars([this.gate.latestMs, this.gate.late, this.records.evictions, this.overflows]),
      this.records.serialize((rec) => [rec.times, rec.consumedUpTo, rec.droppedUpTo]),
    ]);
  }

  restore(bytes: Uint8Array): void {
    const sections = decodeEngineState(bytes, 'sequence', this.fingerprint, 2);
    const [latestMs, late, evictions, overflows] = decodeScalars(sections[0]!, 4) as [number, number, number, number];
    const records = restoreSection('failures', sections[1]!, (b) => CandidateGroups.deserialize(b, this.sketch.candidates, () => 0, readFailureRecord), () => true);
    this.gate.latestMs = latestMs;
    this.gate.late = late;
    records.evictions = evictions;
    this.records = records;
    this.overflows = overflows;
  }
}

/** Reads a failure record as `snapshot` writes it: [times, consumedUpTo, droppedUpTo] (null: -Infinity). */
function readFailureRecord(entry: unknown): FailureRecord {
  const time = (x: unknown) => x === null || typeof x === 'number';
  if (!Array.isArray(entry) || entry.length !== 3 || !Array.isArray(entry[0]) || !time(entry[1]) || !time(entry[2])) {
    throw new Error('failures: bad entry');
  }
  const times = entry[0] as unknown[];
  if (!times.every((x, i) => typeof x === 'number' && Number.isFinite(x) && (i === 0 || (times[i - 1] as number) <= x))) {
    throw new Error('failures: times not ascending numbers');
  }
  return { times: times as number[], consumedUpTo: (entry[1] as number | null) ?? -Infinity, droppedUpTo: (entry[2] as number | null) ?? -Infinity };
}
