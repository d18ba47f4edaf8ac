import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { SecretwatchError } from '../../src/errors/codes.js';
import { formatDuration, parseDuration } from '../ruleset/duration.js';
import type { RuleField } from '../ruleset/field-path.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import { WindowedCountMin } from '../sketch/windowed-count-min.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { configFingerprint, decodeEngineState, decodeScalars, encodeEngineState, encodeScalars, restoreSection } from './engine-state.js';
import { groupKey, groupRecord } from './group-key.js';
import { LatenessGate } from './lateness-gate.js';
import { resolveSketch, SKETCH_DEFAULTS, type ResolvedSketch } from './sketch-defaults.js';

export type SequenceSpec = Extract<EngineSpec, { type: 'sequence' }>;

/**
 * "At least N preceding events (failures) of the same group within `within` before the final
 * event (a success)": Sigma's `temporal_ordered`, e.g. enumeration that ends in a read.
 *
 * The detector passes events that match either the rule (final) or `preceded_by` (preceding);
 * the engine re-checks both with the predicates it was given. An event that is both is first
 * judged as final (against the failures before it), then counted as preceding.
 *
 * Failures are counted per group in a windowed count-min sketch, read at the final event's time
 * (the window (t - within, t], covering: up to one sub-window more, never less).
 *
 * Reset after firing: a second success right after the first must not fire again for the same
 * failures. When the engine fires it records the failures it used in a second windowed sketch
 * ("consumed", at the firing time), and a final event counts only failures - consumed. New
 * failures after a finding count from zero again. The price: consumed failures are forgotten a
 * full window after the finding, while the failures themselves leave the window earlier, so for
 * up to `within` after a finding the same group needs more fresh failures than N to fire again
 * (an under-count only right after an alert on that same group, which the detector's throttle,
 * longer than `within` in the built-in rules, would suppress anyway).
 */
export class SequenceEngine implements Engine {
  readonly withinMs: number;
  readonly sketch: ResolvedSketch;
  private readonly groupBy: readonly RuleField[];
  private readonly atLeast: number;
  private readonly isFinal: ((e: SecretAccessEvent) => boolean) | undefined;
  private readonly isPreceding: (e: SecretAccessEvent) => boolean;
  private failures: WindowedCountMin;
  private consumed: WindowedCountMin;
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
    this.failures = this.newCounts();
    this.consumed = this.newCounts();
    const s = this.sketch;
    this.fingerprint = configFingerprint([
      'sequence', this.groupBy.join(','), this.withinMs, s.width, s.depth, s.subWindows, s.seed, this.allowedLatenessMs,
    ]);
  }

  private newCounts(): WindowedCountMin {
    const s = this.sketch;
    return new WindowedCountMin({
      windowMs: this.withinMs,
      subWindows: s.subWindows,
      allowedLatenessMs: this.allowedLatenessMs,
      width: s.width,
      depth: s.depth,
      seed: s.seed,
      conservative: true,
    });
  }

  observe(event: SecretAccessEvent): Finding | undefined {
    const t = event.time_ms;
    if (!this.gate.admit(t)) return undefined;
    const preceding = this.isPreceding(event);
    const final = this.isFinal !== undefined ? this.isFinal(event) : !preceding;
    const key = groupKey(event, this.groupBy, false)!;
    let finding: Finding | undefined;
    // Failures are rare: when the whole window holds fewer than N of them (all groups together),
    // no group can have N, and neither sketch needs reading; nor `consumed` below N failures.
    if (final && this.failures.windowTotal(t, 'covering') >= this.atLeast) {
      const failures = this.failures.estimate(key, t, 'covering');
      const used = failures >= this.atLeast ? this.consumed.estimate(key, t, 'covering') : 0;
      const fresh = failures - used;
      if (fresh >= this.atLeast) {
        this.consumed.add(key, t, fresh);
        finding = {
          event,
          group: groupRecord(event, this.groupBy),
          summary: `called ${event.operation} after ${fresh} preceding failures within ${formatDuration(this.withinMs)}`,
          measures: { failures: fresh, window_seconds: this.withinMs / 1000 },
        };
      }
    }
    if (preceding) this.failures.add(key, t);
    return finding;
  }

  stats(): EngineStats {
    return {
      memory_bytes: this.failures.byteLength + this.consumed.byteLength,
      late_events: this.gate.late,
      saturated: (this.failures.saturated ? 1 : 0) + (this.consumed.saturated ? 1 : 0),
    };
  }

  snapshot(): Uint8Array {
    return encodeEngineState('sequence', this.fingerprint, [
      encodeScalars([this.gate.latestMs, this.gate.late]),
      this.failures.serialize(),
      this.consumed.serialize(),
    ]);
  }

  restore(bytes: Uint8Array): void {
    const sections = decodeEngineState(bytes, 'sequence', this.fingerprint, 3);
    const [latestMs, late] = decodeScalars(sections[0]!, 2) as [number, number];
    const same = (s: WindowedCountMin) =>
      s.width === this.failures.width && s.depth === this.failures.depth && s.seed === this.failures.seed && s.clock.slots === this.failures.clock.slots;
    const failures = restoreSection('failures', sections[1]!, (b) => WindowedCountMin.deserialize(b), same);
    const consumed = restoreSection('consumed', sections[2]!, (b) => WindowedCountMin.deserialize(b), same);
    this.gate.latestMs = latestMs;
    this.gate.late = late;
    this.failures = failures;
    this.consumed = consumed;
  }
}
