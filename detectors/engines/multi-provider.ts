import type { Provider, SecretAccessEvent } from '../../normalizers/schema.js';
import { formatDuration, parseDuration } from '../ruleset/duration.js';
import type { RuleField } from '../ruleset/field-path.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import { WindowedBloom } from '../sketch/windowed-bloom.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { restoreBloomEngine, snapshotBloomEngine } from './bloom-engine-state.js';
import { configFingerprint } from './engine-state.js';
import { groupKey, groupRecord } from './group-key.js';
import { LatenessGate } from './lateness-gate.js';
import { resolveSketch, SKETCH_DEFAULTS, type ResolvedSketch } from './sketch-defaults.js';

export type MultiProviderSpec = Extract<EngineSpec, { type: 'multi_provider' }>;

const PROVIDERS: readonly Provider[] = ['aws', 'gcp', 'azure'];

/**
 * "Events of at least N clouds share a group (a source IP) within `within`", from a windowed
 * Bloom filter of (group, provider) pairs.
 *
 * Per event: add its pair, then ask the filter for the group's other providers in the window.
 * It fires on the crossing only: when the event's own pair is new to the window and exactly
 * N - 1 other providers are there. A burst of further events of the same providers finds its
 * pair seen and stays silent; a third cloud joining two is a new pair with N others already
 * present (> N - 1) and stays silent too. Once the group is quiet for a window, it can fire again.
 *
 * Other providers count when seen within `within` on either side of the event (a late event
 * joins events that came before it in arrival order but after it in time), read in covering mode:
 * up to one sub-window more, never less. An event missing a group field is skipped: an absent IP
 * in two clouds is not a shared source. A Bloom false positive can take a new pair for seen
 * (a miss at the configured rate) or a provider for present (a false finding at that rate).
 */
export class MultiProviderEngine implements Engine {
  readonly withinMs: number;
  readonly sketch: ResolvedSketch;
  private readonly groupBy: readonly RuleField[];
  private readonly atLeast: number;
  private bloom: WindowedBloom;
  private readonly gate: LatenessGate;
  private readonly fingerprint: number;
  private readonly allowedLatenessMs: number;

  constructor(spec: MultiProviderSpec, options: EngineOptions) {
    this.withinMs = parseDuration(spec.within) ?? NaN;
    this.groupBy = spec.group_by;
    this.atLeast = spec.at_least;
    this.allowedLatenessMs = options.allowedLatenessMs;
    this.sketch = resolveSketch(SKETCH_DEFAULTS.multi_provider, spec.sketch, this.withinMs, 'within');
    this.gate = new LatenessGate(options.allowedLatenessMs);
    const s = this.sketch;
    this.bloom = new WindowedBloom({
      windowMs: this.withinMs,
      subWindows: s.subWindows,
      allowedLatenessMs: this.allowedLatenessMs,
      expectedItemsPerSubWindow: s.capacity,
      falsePositiveRate: s.falsePositiveRate,
      seed: s.seed,
    });
    this.fingerprint = configFingerprint([
      'multi_provider', this.groupBy.join(','), this.withinMs, s.subWindows, s.capacity, s.falsePositiveRate, s.seed, this.allowedLatenessMs,
    ]);
  }

  observe(event: SecretAccessEvent): Finding | undefined {
    const t = event.time_ms;
    if (!this.gate.admit(t)) return undefined;
    const key = groupKey(event, this.groupBy, true);
    if (key === undefined) return undefined;
    if (this.bloom.addPair(key, event.provider, t) !== 'new') return undefined;
    const clock = this.bloom.clock;
    const late = Math.floor(t / clock.bucketMs) < clock.newestBucket;
    const laterEnd = Math.min(this.gate.latestMs, t + this.withinMs - 1);
    const seenWithin = (p: string) => this.bloom.hasPair(key, p, t) || (late && this.bloom.hasPair(key, p, laterEnd));
    let others = 0;
    for (const p of PROVIDERS) if (p !== event.provider && seenWithin(p)) others++;
    if (others !== this.atLeast - 1) return undefined;
    const providers = PROVIDERS.filter((p) => p === event.provider || seenWithin(p));
    return {
      event,
      group: groupRecord(event, this.groupBy),
      summary: `accessed secrets in ${providers.length} clouds (${providers.join(', ')}) within ${formatDuration(this.withinMs)}`,
      measures: { providers, window_seconds: this.withinMs / 1000 },
    };
  }

  stats(): EngineStats {
    return { memory_bytes: this.bloom.byteLength, late_events: this.gate.late, saturated: this.bloom.saturated ? 1 : 0 };
  }

  snapshot(): Uint8Array {
    return snapshotBloomEngine('multi_provider', this.fingerprint, this.gate, this.bloom);
  }

  restore(bytes: Uint8Array): void {
    this.bloom = restoreBloomEngine(bytes, 'multi_provider', this.fingerprint, this.gate, this.bloom, 'pairs');
  }
}
