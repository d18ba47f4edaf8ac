import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { formatDuration, parseDuration } from '../ruleset/duration.js';
import { fieldValue, fieldValues, type RuleField } from '../ruleset/field-path.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import { WindowedBloom } from '../sketch/windowed-bloom.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { restoreBloomEngine, snapshotBloomEngine } from './bloom-engine-state.js';
import { configFingerprint } from './engine-state.js';
import { GROUP_SEPARATOR, groupKey, groupRecord } from './group-key.js';
import { LatenessGate } from './lateness-gate.js';
import { resolveSketch, SKETCH_DEFAULTS, type ResolvedSketch } from './sketch-defaults.js';

export type NewTermsSpec = Extract<EngineSpec, { type: 'new_terms' }>;

/** Fields that hold several values; a term is then each combination of one value per field. */
const MULTI_VALUED: ReadonlySet<RuleField> = new Set(['secrets', 'batch_filters.key', 'batch_filters.values']);

/**
 * "First occurrence of this combination of field values within the history", in a windowed
 * Bloom filter (sub-filters of history / S each). Each event is checked, then added: the first
 * event of a term fires, the next ones do not, and once the term has not been seen for the whole
 * history (plus up to one sub-window, the covering read) it is new again.
 *
 * Learning continues always: the learning period is the detector's (it drops findings), so
 * terms seen while learning are remembered like any others.
 *
 * An event missing one of the fields has no term and is skipped (an absent IP is not a "new
 * source"). With a multi-valued field (`secrets`), each value makes its own term (a principal
 * reading 3 secrets in one call has 3 (principal, secret) terms): every one is added, and the
 * event fires once if any is new, with the first new one in `terms`.
 *
 * Misses: a Bloom false positive takes a new term for a seen one, at the configured rate while
 * the sub-filters hold no more than `capacity` terms each (`saturated` says when they do).
 */
export class NewTermsEngine implements Engine {
  readonly historyMs: number;
  readonly sketch: ResolvedSketch;
  private readonly fields: readonly RuleField[];
  private readonly multi: boolean;
  private bloom: WindowedBloom;
  private readonly gate: LatenessGate;
  private readonly fingerprint: number;
  private readonly allowedLatenessMs: number;
  private readonly quiet: Finding = { event: undefined as unknown as SecretAccessEvent, group: {}, summary: '', measures: {} };
  /** "30d for this principal.id and source.ip": built once, every first-seen finding says it. */
  private readonly summaryTail: string;

  constructor(spec: NewTermsSpec, options: EngineOptions) {
    this.historyMs = parseDuration(spec.history) ?? NaN;
    this.fields = spec.fields;
    this.summaryTail = `${formatDuration(this.historyMs)} for this ${spec.fields.join(' and ')}`;
    this.multi = spec.fields.some((f) => MULTI_VALUED.has(f));
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.sketch = resolveSketch(SKETCH_DEFAULTS.new_terms, spec.sketch, this.historyMs, 'history');
    this.gate = new LatenessGate(options.allowedLatenessMs);
    this.bloom = this.newBloom();
    const s = this.sketch;
    this.fingerprint = configFingerprint([
      'new_terms', this.fields.join(','), this.historyMs, s.subWindows, s.capacity, s.falsePositiveRate, s.seed, this.allowedLatenessMs,
    ]);
  }

  private newBloom(): WindowedBloom {
    const s = this.sketch;
    return new WindowedBloom({
      windowMs: this.historyMs,
      subWindows: s.subWindows,
      allowedLatenessMs: this.allowedLatenessMs,
      expectedItemsPerSubWindow: s.capacity,
      falsePositiveRate: s.falsePositiveRate,
      seed: s.seed,
    });
  }

  observe(event: SecretAccessEvent, quiet = false): Finding | undefined {
    const t = event.time_ms;
    if (!this.gate.admit(t)) return undefined;
    if (!this.multi) {
      const key = groupKey(event, this.fields, true);
      if (key === undefined || this.bloom.add(key, t) !== 'new') return undefined;
      return quiet ? this.quietFinding(event) : this.finding(event, this.fields.map((f) => fieldValue(event, f)!));
    }
    let firstNew: string[] | undefined;
    for (const term of this.terms(event)) {
      if (this.bloom.add(term.join(GROUP_SEPARATOR), t) === 'new') firstNew ??= term;
    }
    if (firstNew === undefined) return undefined;
    return quiet ? this.quietFinding(event) : this.finding(event, firstNew);
  }

  /** While learning every new term is a finding the detector drops: one reused object, no texts. */
  private quietFinding(event: SecretAccessEvent): Finding {
    this.quiet.event = event;
    return this.quiet;
  }

  /** Every combination of one value per field (none when a field has no value). */
  private *terms(event: SecretAccessEvent): Generator<string[]> {
    const lists = this.fields.map((f) => fieldValues(event, f));
    if (lists.some((l) => l.length === 0)) return;
    const index = lists.map(() => 0);
    for (;;) {
      yield lists.map((l, i) => l[index[i]!]!);
      let i = lists.length - 1;
      while (i >= 0 && ++index[i]! === lists[i]!.length) index[i--] = 0;
      if (i < 0) return;
    }
  }

  private finding(event: SecretAccessEvent, terms: string[]): Finding {
    const group: Record<string, string> = this.multi ? Object.fromEntries(this.fields.map((f, i) => [f, terms[i]!])) : groupRecord(event, this.fields);
    return {
      event,
      group,
      // The alert body already names the principal and the source; say what was new, not the values again.
      summary: `called ${event.operation}, the first time in ${this.summaryTail}`,
      measures: { history_seconds: this.historyMs / 1000, terms },
    };
  }

  stats(): EngineStats {
    return { memory_bytes: this.bloom.byteLength, late_events: this.gate.late, saturated: this.bloom.saturated ? 1 : 0 };
  }

  snapshot(): Uint8Array {
    return snapshotBloomEngine('new_terms', this.fingerprint, this.gate, this.bloom);
  }

  restore(bytes: Uint8Array): void {
    this.bloom = restoreBloomEngine(bytes, 'new_terms', this.fingerprint, this.gate, this.bloom, 'terms');
  }
}
