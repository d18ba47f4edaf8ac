import { describe, expect, it } from 'vitest';
import type { Alert } from '../../detectors/alerts/alert.js';
import { fieldValue } from '../../detectors/ruleset/field-path.js';
import { describeMismatch, runStream, summarizeMismatches, type Mismatch } from '../support/differential/compare.js';
import { differentialRules } from '../support/differential/rules.js';
import { differentialStreams, type DiffStream } from '../support/differential/streams.js';
import { ReferenceDetector } from '../support/reference-detector.js';

/**
 * The whole Detector against the exact reference (test/support/reference-detector.ts) on seeded
 * random streams aimed at the window edges, thresholds, throttles, lateness and learning periods
 * (test/support/differential/streams.ts): every alert must be the same, to the event, group and
 * measure (a count the Detector itself flags as a lower bound may be lower: compare.ts, sameAlert).
 * `npm run bench -- differential` runs many more seeds.
 *
 * The last tests check that the fixed seeds really hold the cases that catch one-line mutations
 * (a crossing test that misses re-crossings, a throttle that suppresses at exactly its duration,
 * another default learning period): without them this test could pass by luck.
 */

const SEEDS = [1, 2, 3, 4];
const DAY = 86_400_000;

const { rules, targets } = differentialRules();
const streamsOf = new Map<number, DiffStream[]>(SEEDS.map((seed) => [seed, differentialStreams(seed, rules, targets)]));

function report(mismatches: readonly Mismatch[], streams: readonly DiffStream[]): string {
  if (mismatches.length === 0) return '';
  const shown = mismatches.slice(0, 4).map((m) => describeMismatch(streams.find((s) => s.name === m.stream)!, rules, m, 16));
  return [`${mismatches.length} alerts differ:`, ...summarizeMismatches(mismatches).map((l) => `  ${l}`), '', ...shown].join('\n');
}

describe('the Detector and the exact reference raise the same alerts', () => {
  for (const seed of SEEDS) {
    it(`on the streams of seed ${seed}`, () => {
      const streams = streamsOf.get(seed)!;
      const mismatches = streams.flatMap((s) => runStream(s, rules).mismatches);
      expect(report(mismatches, streams)).toBe('');
    });
  }
});

/** The reference's alerts on every stream of the fixed seeds, with the stream they came from. */
function referenceAlerts(): { stream: DiffStream; alert: Alert }[] {
  const out: { stream: DiffStream; alert: Alert }[] = [];
  for (const streams of streamsOf.values()) {
    for (const stream of streams) {
      let now = stream.events[0]!.time_ms;
      const options = { rules, clock: () => now, ...(stream.allowedLatenessMs !== undefined ? { allowedLatenessMs: stream.allowedLatenessMs } : {}) };
      const reference = new ReferenceDetector(options);
      for (const event of stream.events) {
        for (const alert of reference.process(event)) out.push({ stream, alert });
        now = Math.max(now, event.time_ms);
      }
    }
  }
  return out;
}

const alerts = referenceAlerts();
const ruleOf = (a: Alert): string => String(a.attributes['security_rule.name']);
const timeOf = (a: Alert): number => Date.parse(a.time);
const groupOf = (a: Alert): string =>
  JSON.stringify(Object.entries(a.attributes).filter(([k]) => k.startsWith('secretwatch.group.')));

describe('the fixed seeds hold the cases that catch one-line mutations', () => {
  it('re-cross a count threshold within a window after a finding of the same group (the crossing test)', () => {
    // Without a throttle every finding is an alert; a second finding of a group within the window
    // can only be a crossing (the re-fire memory suppresses the rest), which a crossing test of
    // `before < N` instead of `before <= N` would miss.
    const rule = rules.find((r) => r.spec.id === 'diff_count_3_in_1m')!;
    const mine = alerts.filter(({ alert }) => ruleOf(alert) === rule.spec.id);
    const recrossings = mine.filter(({ stream, alert }) =>
      mine.some((o) => o.stream === stream && o.alert !== alert && groupOf(o.alert) === groupOf(alert) && timeOf(alert) - timeOf(o.alert) > 0 && timeOf(alert) - timeOf(o.alert) < rule.windowMs!),
    );
    expect(recrossings.length).toBeGreaterThanOrEqual(SEEDS.length);
  });

  it('alert for every throttled rule exactly its throttle duration after an alert of the same key', () => {
    for (const rule of rules.filter((r) => r.throttleMs !== undefined)) {
      const keyOf = (a: Alert, stream: DiffStream): string => {
        const event = stream.events[Number(String(a.attributes['secretwatch.source']).split('#').pop())]!;
        return `${stream.name}|${rule.spec.throttle!.group_by.map((f) => fieldValue(event, f)).join('|')}`;
      };
      const mine = alerts.filter(({ alert }) => ruleOf(alert) === rule.spec.id);
      const exact = mine.some(({ stream, alert }) =>
        mine.some((o) => keyOf(o.alert, o.stream) === keyOf(alert, stream) && timeOf(alert) - timeOf(o.alert) === rule.throttleMs),
      );
      expect(exact, rule.spec.id).toBe(true);
    }
  });

  it('alert first-seen terms exactly at the end of the default learning period, with new terms 1 ms before it', () => {
    const rule = 'diff_new_source_default_learning';
    for (const streams of streamsOf.values()) {
      const learning = streams.find((s) => s.name.startsWith('days'))!;
      const createdAt = Math.min(...learning.events.map((e) => e.time_ms));
      const times = alerts.filter(({ stream, alert }) => stream === learning && ruleOf(alert) === rule).map(({ alert }) => timeOf(alert));
      expect(times).toContain(createdAt + DAY);
      expect(times.every((t) => t >= createdAt + DAY)).toBe(true);
      expect(learning.events.some((e) => e.time_ms === createdAt + DAY - 1)).toBe(true);
    }
  });
});
