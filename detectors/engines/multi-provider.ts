import type { Provider, SecretAccessEvent } from '../../normalizers/schema.js';
import { formatDuration, parseDuration } from '../ruleset/duration.js';
import type { RuleField } from '../ruleset/field-path.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import { KeyHasher } from '../sketch/key-hasher.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { configFingerprint, decodeEngineState, decodeScalars, encodeEngineState, encodeScalars, restoreSection } from './engine-state.js';
import { groupKey, groupRecord } from './group-key.js';
import { LastSeenTable } from './last-seen-table.js';
import { LatenessGate } from './lateness-gate.js';
import { resolveSketch, SKETCH_DEFAULTS, type ResolvedSketch } from './sketch-defaults.js';

export type MultiProviderSpec = Extract<EngineSpec, { type: 'multi_provider' }>;

const PROVIDERS: readonly Provider[] = ['aws', 'gcp', 'azure'];

/**
 * "Events of at least N clouds share a group (a source IP) within `within`", from the exact last
 * time each group was seen in each cloud (LastSeenTable).
 *
 * A provider q is present for an event at t when the group's last q event (among the events
 * scored before it) is later than t - within: exactly within the window, an event exactly
 * `within` old being out. For a late event that last sighting may lie after it; it still counts,
 * however much later (the table keeps only the last time; with `within` shorter than the allowed
 * lateness this can join a late event to a sighting more than `within` after it).
 *
 * It fires on the crossing only: when the event's own provider is not present and exactly N - 1
 * other providers are. A burst of further events of the same providers finds theirs present and
 * stays silent; a third cloud joining two finds N others (> N - 1) and stays silent too. Once
 * the group is quiet for a window, it can fire again. An event missing a group field is skipped:
 * an absent IP in two clouds is not a shared source.
 */
export class MultiProviderEngine implements Engine {
  readonly withinMs: number;
  readonly sketch: ResolvedSketch;
  private readonly groupBy: readonly RuleField[];
  private readonly atLeast: number;
  private table: LastSeenTable;
  private readonly hasher: KeyHasher;
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
    // Slots at twice the groups to hold, so that a group's 8 probe slots rarely all hold live groups.
    this.table = new LastSeenTable(2 ** Math.ceil(Math.log2(Math.max(8, 2 * this.sketch.capacity))), PROVIDERS.length, this.withinMs + this.allowedLatenessMs);
    this.hasher = new KeyHasher(this.sketch.seed);
    this.fingerprint = configFingerprint([
      'multi_provider-exact', this.groupBy.join(','), this.withinMs, this.sketch.capacity, this.sketch.seed, this.allowedLatenessMs,
    ]);
  }

  observe(event: SecretAccessEvent): Finding | undefined {
    const t = event.time_ms;
    if (!this.gate.admit(t)) return undefined;
    const key = groupKey(event, this.groupBy, true);
    if (key === undefined) return undefined;
    const own = PROVIDERS.indexOf(event.provider);
    if (own < 0) return undefined;
    this.hasher.hash(key);
    const { h1, h2 } = this.hasher;
    const slot = this.table.find(h1, h2);
    const since = t - this.withinMs;
    const ownPresent = this.table.lastSeen(slot, own) > since;
    let others = 0;
    if (!ownPresent) for (let p = 0; p < PROVIDERS.length; p++) if (p !== own && this.table.lastSeen(slot, p) > since) others++;
    const fires = !ownPresent && others === this.atLeast - 1;
    const providers = fires ? PROVIDERS.filter((_, p) => p === own || this.table.lastSeen(slot, p) > since) : [];
    this.table.record(slot, h1, h2, own, t, this.gate.latestMs);
    if (!fires) return undefined;
    return {
      event,
      group: groupRecord(event, this.groupBy),
      summary: `accessed secrets in ${providers.length} clouds (${providers.join(', ')}) within ${formatDuration(this.withinMs)}`,
      measures: { providers, window_seconds: this.withinMs / 1000 },
    };
  }

  stats(): EngineStats {
    return { memory_bytes: this.table.byteLength, late_events: this.gate.late, saturated: this.table.evictions > 0 ? 1 : 0 };
  }

  snapshot(): Uint8Array {
    return encodeEngineState('multi_provider', this.fingerprint, [encodeScalars([this.gate.latestMs, this.gate.late]), this.table.serialize()]);
  }

  restore(bytes: Uint8Array): void {
    const sections = decodeEngineState(bytes, 'multi_provider', this.fingerprint, 2);
    const [latestMs, late] = decodeScalars(sections[0]!, 2) as [number, number];
    const table = restoreSection('last seen', sections[1]!, (b) => LastSeenTable.deserialize(b), (t) => t.slots === this.table.slots && t.labels === this.table.labels);
    this.gate.latestMs = latestMs;
    this.gate.late = late;
    this.table = table;
  }
}
