import { createEngine } from '../detectors/engines/create-engine.js';
import type { EngineSpec } from '../detectors/ruleset/rule-schema.js';
import { WindowedCountMin } from '../detectors/sketch/windowed-count-min.js';
import type { Provider, SecretAccessEvent } from '../normalizers/schema.js';
import { alternate, spreadRow, type Workload } from './measure.js';
import type { BenchRow } from './types.js';

/**
 * `Engine.observe` per engine, on prebuilt events (so only the engine is timed), default sketch
 * sizes and 15 min lateness: 100,000 (principal, IP) groups, events 10 ms apart in time order.
 * The first row is the windowed count-min alone (add + estimate of one key, the floor of the
 * threshold engine); compare ratios within one run, the machine's speed drifts.
 */
const GROUPS = 100_000;
const BATCH = 20_000;
const T0 = Date.UTC(2026, 0, 5);
const PROVIDERS: Provider[] = ['aws', 'gcp', 'azure'];

function events(): SecretAccessEvent[] {
  const out: SecretAccessEvent[] = [];
  for (let i = 0; i < GROUPS; i++) {
    out.push({
      time: '',
      time_ms: T0,
      provider: PROVIDERS[i % 3]!,
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      action: 'read',
      outcome: i % 7 === 0 ? 'failure' : 'success',
      principal: { id: `arn:aws:iam::123456789012:role/app-${i % 25_000}`, type: 'role', class: 'standard' },
      source: { ip: `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}` },
      cloud: { account: '123456789012' },
      secrets: [`arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/svc-${i % 5000}`],
      raw: { source: 'bench', index: i, format: 'bench' },
    });
  }
  return out;
}

/** A work function observing the next BATCH events, each at a fresh time 10 ms after the last. */
function observing(observe: (e: SecretAccessEvent) => unknown, all: SecretAccessEvent[]): () => void {
  let cursor = 0;
  let time = T0;
  return () => {
    for (let j = 0; j < BATCH; j++) {
      const e = all[cursor]!;
      e.time_ms = time += 10;
      observe(e);
      cursor = cursor + 1 === all.length ? 0 : cursor + 1;
    }
  };
}

const ENGINES: [string, EngineSpec][] = [
  ['threshold.count_one_field', { type: 'threshold', group_by: ['principal.id'], window: '1h', count_above: 50 }],
  ['threshold.count_two_fields', { type: 'threshold', group_by: ['principal.id', 'source.ip'], window: '1h', count_above: 50 }],
  [
    'threshold.count_and_distinct',
    { type: 'threshold', group_by: ['principal.id', 'source.ip'], window: '1h', count_above: 50, distinct: { field: 'secrets', above: 10 } },
  ],
  ['new_terms.two_fields_30d', { type: 'new_terms', fields: ['principal.id', 'source.ip'], history: '30d' }],
  ['sequence.two_fields', { type: 'sequence', group_by: ['principal.id', 'source.ip'], preceded_by: { match: {}, at_least: 10 }, within: '10m' }],
  ['multi_provider.ip', { type: 'multi_provider', group_by: ['source.ip'], at_least: 2, within: '10m' }],
];

/**
 * The floor and every engine in alternating rounds, 0.3 s each per round; each engine's ratio to
 * the floor is taken within each round.
 */
export async function runEngineBench(seconds = 0.3): Promise<BenchRow[]> {
  const all = events();
  const cms = new WindowedCountMin({ windowMs: 3_600_000, subWindows: 4, allowedLatenessMs: 900_000, width: 2 ** 18, depth: 4 });
  const keys = all.map((e) => `${e.principal.id}\u0001${e.source.ip}`);
  let k = 0;
  let t = T0;
  const floor: Workload = {
    run: () => {
      for (let j = 0; j < BATCH; j++) {
        const key = keys[k]!;
        k = k + 1 === keys.length ? 0 : k + 1;
        cms.add(key, (t += 10));
        cms.estimate(key, t);
      }
    },
    items: BATCH,
  };
  const engines = ENGINES.map(([name, spec]) => {
    const engine = createEngine(spec, {
      allowedLatenessMs: 900_000,
      isFinal: (e) => e.outcome === 'success',
      isPreceding: (e) => e.outcome === 'failure',
    });
    // Each workload sets an event's time just before observing it, so the engines share the events.
    return { name, engine, workload: { run: observing((e) => engine.observe(e), all), items: BATCH } };
  });
  const m = await alternate([floor, ...engines.map((e) => e.workload)], { seconds });
  const rows: BenchRow[] = [spreadRow('engine.windowed_count_min_floor', m.rate(0), 'ops/s', 'add + estimate, 2^18 x 4, 4 sub-windows')];
  engines.forEach(({ name, engine }, i) => {
    const mib = engine.stats().memory_bytes / 2 ** 20;
    const ratio = m.ratio(i + 1, 0);
    rows.push(
      spreadRow(
        `engine.${name}`,
        m.rate(i + 1),
        'events/s',
        `${ratio.median.toFixed(2)}x the floor (per round ${ratio.min.toFixed(2)}..${ratio.max.toFixed(2)}); ${mib.toFixed(1)} MiB`,
      ),
    );
  });
  return rows;
}
