import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector } from '../detectors/detector.js';
import { defaultRulesDir, loadRules, type LoadedRule } from '../detectors/ruleset/load-rules.js';
import type { SecretAccessEvent } from '../normalizers/schema.js';
import { allFormats } from '../normalizers/index.js';
import { parseDuration } from '../detectors/ruleset/duration.js';
import { configSchema } from '../src/config/schema.js';
import { InputCursor } from '../src/decode/cursor.js';
import { Decoder } from '../src/decode/decoder.js';
import type { InputRef } from '../src/input/walk.js';
import { replay, type ReplayOptions, type ReplaySummary } from '../src/replay/replay.js';
import { cloudTrailLines } from './normalize.bench.js';
import { alternate, spreadRow, type Spread, type Workload } from './measure.js';
import type { BenchRow } from './types.js';

const LINES = 100_000;

/** What `secretwatch replay` uses when the config file sets nothing. */
function replayOptions(reorderHorizon?: string): ReplayOptions {
  const config = configSchema.parse(reorderHorizon === undefined ? {} : { detection: { reorder_horizon: reorderHorizon } });
  return {
    reorderHorizonMs: parseDuration(config.detection.reorder_horizon) ?? 0,
    reorderCapacity: config.detection.reorder_capacity,
    prescanCacheEvents: 2_000_000,
    onAlerts: () => undefined,
  };
}

/** `allowed_lateness` when the config file sets nothing: what the replay bench's detectors use. */
export function defaultAllowedLatenessMs(): number {
  return parseDuration(configSchema.parse({}).detection.allowed_lateness) ?? 0;
}

function newDetector(rules: readonly LoadedRule[], clock: () => number = Date.now): Detector {
  return new Detector({ rules, clock, allowedLatenessMs: defaultAllowedLatenessMs() });
}

/** The replay bench's input: its CloudTrail lines, and the events they decode to, in time order. */
export function replayBenchInput(): { lines: string[]; events: SecretAccessEvent[] } {
  const lines = cloudTrailLines(LINES);
  return { lines, events: decodeAll(lines) };
}

function decodeAll(lines: readonly string[]): SecretAccessEvent[] {
  const events: SecretAccessEvent[] = [];
  const decoder = new Decoder(allFormats, { event: (e) => events.push(e), rejection: () => undefined, unrelated: () => undefined });
  const cursor = new InputCursor('bench');
  for (const line of lines) decoder.decodeText(line, cursor);
  return events.sort((a, b) => a.time_ms - b.time_ms);
}

/**
 * End-to-end replay on one core: ~100k CloudTrail JSON lines in a temporary file (about 150 MB,
 * so it takes the streamed line-by-line path of inputs over 64 MiB) through `replay()` with every
 * built-in rule, next to a bare `JSON.parse` of the same lines in the same rounds. The breakdown
 * rows split the time: decoding alone (in memory), replay with an empty rule set (file reading,
 * decoding, merge, reorder, async generators), the detector alone on decoded events, and the
 * detector with one rule at a time. Replay with and without rules also runs with
 * `reorder_horizon: 0s` (no reorder buffer), alternating with the default horizon.
 * Every workload is one full pass per round (replay cannot be cut into sub-second slices); a
 * fresh detector is built untimed before each pass (replaying the same event times into a used
 * one would make every event late, which is cheaper than real work).
 */
export async function runReplayBench(): Promise<BenchRow[]> {
  const { lines, events } = replayBenchInput();
  const dir = mkdtempSync(join(tmpdir(), 'secretwatch-bench-'));
  const path = join(dir, 'cloudtrail.jsonl');
  try {
    writeFileSync(path, lines.join('\n') + '\n');
    const size = statSync(path).size;
    const refs: InputRef[] = [{ kind: 'file', path, size }];
    const rules = loadRules(defaultRulesDir()).filter((r) => r.spec.enabled);
    const options = replayOptions();
    const noHorizon = replayOptions('0s');
    const horizon = configSchema.parse({}).detection.reorder_horizon;

    let sink = 0;
    const spikeRule = rules.filter((r) => r.spec.id === 'secret_access_spike');
    let detector: Detector = newDetector(rules);
    const summaries = new Map<string, ReplaySummary>();
    /** One full replay pass of the file into a fresh detector with `ruleSet`. */
    const replaying = (name: string, ruleSet: readonly LoadedRule[], replayOptions: ReplayOptions): Workload => ({
      prepare: () => void (detector = newDetector(ruleSet)),
      run: async () => void summaries.set(name, await replay(refs, detector, replayOptions)),
      items: lines.length,
    });
    const decoder = new Decoder(allFormats, { event: () => void sink++, rejection: () => undefined, unrelated: () => undefined });
    const cursor = new InputCursor('bench');
    const BARE = 0;
    const REPLAY = 1;
    const REPLAY_0S = 2;
    const DECODE = 3;
    const NO_RULES = 4;
    const NO_RULES_0S = 5;
    const DETECTOR = 6;
    const SPIKE = 7;
    const m = await alternate([
      {
        run: () => {
          for (const line of lines) sink += (JSON.parse(line) as { eventVersion: string }).eventVersion.length;
        },
        items: lines.length,
      },
      replaying('replay', rules, options),
      replaying('replay_0s', rules, noHorizon),
      {
        run: () => {
          for (const line of lines) decoder.decodeText(line, cursor);
        },
        items: lines.length,
      },
      replaying('no_rules', [], options),
      replaying('no_rules_0s', [], noHorizon),
      {
        prepare: () => void (detector = newDetector(rules)),
        run: () => {
          for (const e of events) sink += detector.process(e).length;
        },
        items: events.length,
      },
      replaying('spike', spikeRule, options),
    ]);
    for (const [name, summary] of summaries) {
      if (summary.events !== events.length) throw new Error(`replay bench: expected ${events.length} events, replay ${name} scored ${summary.events}`);
    }
    const summary = summaries.get('replay')!;
    if (sink === 0) throw new Error('replay bench: nothing decoded');
    // Per rule (which engines the detector's time goes to), and all rules over sparse history: the
    // same events spread over 30 days (one every ~35 s), where most events open a new sub-window
    // somewhere and the cost of recycling sub-windows shows. The clock is the end of the span: no
    // event is "from the future" (see Detector maxFutureMs).
    const spanMs = 30 * 86_400_000;
    const first = events[0]!.time_ms;
    const sparse = events.map((e, i) => ({ ...e, time_ms: first + Math.floor((i * spanMs) / events.length) }));
    const sparseClock = () => first + spanMs;
    const perRule = await alternate([
      ...rules.map(
        (rule): Workload => ({
          prepare: () => void (detector = newDetector([rule])),
          run: () => void events.forEach((e) => (sink += detector.process(e).length)),
          items: events.length,
        }),
      ),
      {
        prepare: () => void (detector = newDetector(rules, sparseClock)),
        run: () => void sparse.forEach((e) => (sink += detector.process(e).length)),
        items: sparse.length,
      },
    ]);
    const perRuleRows = rules.map((rule, i) => {
      const cost = perRule.cost(i, 1e6);
      return spreadRow(`replay.breakdown.rule.${rule.spec.id}`, perRule.rate(i), 'events/s', `${rule.spec.engine.type}; ${usPerEvent(cost)}`);
    });
    const sparseCost = perRule.cost(rules.length, 1e6);
    const mb = Math.round(size / 2 ** 20);
    const ratio = (a: number, b: number): string => {
      const r = m.ratio(a, b);
      return `${r.median.toFixed(3)} (${r.min.toFixed(3)}..${r.max.toFixed(3)}) x bare`;
    };
    return [
      spreadRow('replay.cloudtrail_jsonl.bare_json_parse', m.rate(BARE), 'records/s', `${lines.length.toLocaleString('en-US')} lines, same lines in memory`),
      spreadRow(
        'replay.cloudtrail_jsonl.replay',
        m.rate(REPLAY),
        'records/s',
        `${mb} MB file, streamed; ${rules.length} rules, reorder_horizon ${horizon}; ${summary.events.toLocaleString('en-US')} events, ${summary.alerts} alerts`,
      ),
      spreadRow('replay.cloudtrail_jsonl.ratio', m.ratio(REPLAY, BARE), 'x bare', 'per-round ratio; target >= 0.6'),
      spreadRow('replay.cloudtrail_jsonl.replay_reorder_horizon_0s', m.rate(REPLAY_0S), 'records/s', `${rules.length} rules, no reorder buffer; ${ratio(REPLAY_0S, BARE)}`),
      spreadRow('replay.cloudtrail_jsonl.reorder_horizon_0s_gain', m.ratio(REPLAY_0S, REPLAY), 'x default', `replay with reorder_horizon 0s over ${horizon}, per-round ratio`),
      spreadRow(
        'replay.cloudtrail_jsonl.replay_spike_rule_only',
        m.rate(SPIKE),
        'records/s',
        `${ratio(SPIKE, BARE)}; secret_access_spike alone, ${summaries.get('spike')?.alerts ?? 0} alerts`,
      ),
      spreadRow('replay.breakdown.decode_in_memory', m.rate(DECODE), 'records/s', `Decoder.decodeText per line, no file, no detector; ${ratio(DECODE, BARE)}`),
      spreadRow('replay.breakdown.replay_no_rules', m.rate(NO_RULES), 'records/s', `replay() with an empty rule set: file, decode, merge, reorder; ${ratio(NO_RULES, BARE)}`),
      spreadRow('replay.breakdown.replay_no_rules_reorder_horizon_0s', m.rate(NO_RULES_0S), 'records/s', `the same with reorder_horizon 0s; ${ratio(NO_RULES_0S, BARE)}`),
      spreadRow('replay.breakdown.replay_no_rules.reorder_horizon_0s_gain', m.ratio(NO_RULES_0S, NO_RULES), 'x default', `no rules, reorder_horizon 0s over ${horizon}, per-round ratio`),
      spreadRow(
        'replay.breakdown.detector_only',
        m.rate(DETECTOR),
        'events/s',
        `Detector.process on decoded events, ${rules.length} rules; ${usPerEvent(m.cost(DETECTOR, 1e6))}`,
      ),
      ...perRuleRows,
      spreadRow(
        'replay.breakdown.detector_sparse_30_days',
        perRule.rate(rules.length),
        'events/s',
        `Detector.process, ${rules.length} rules, the same ${sparse.length.toLocaleString('en-US')} events spread over 30 days; ${usPerEvent(sparseCost)}`,
      ),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "16.0 (15.2..17.9) us/event": a cost's median and spread for a note. */
export function usPerEvent(cost: Spread): string {
  const digits = cost.median < 10 ? 2 : 1;
  return `${cost.median.toFixed(digits)} (${cost.min.toFixed(digits)}..${cost.max.toFixed(digits)}) us/event`;
}
