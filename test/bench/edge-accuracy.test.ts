import { describe, expect, it } from 'vitest';
import { compareOnEdges } from '../../bench/edge-accuracy.js';
import { edgeWorkload } from '../../bench/gen/edge-workload.js';
import { defaultRulesDir, loadRules } from '../../detectors/ruleset/load-rules.js';

// The small version of `npm run bench -- edges`: the same generator and comparison, fewer groups.
describe('exact window edges on a near-threshold workload (small)', () => {
  const rules = loadRules(defaultRulesDir());
  const w = edgeWorkload({ hours: 6, backgroundKeys: 20_000, backgroundPerHour: 60_000, perKind: 60, seed: 11 });
  const result = compareOnEdges(w, rules);

  it('generates groups near and over each threshold', () => {
    const near = result.peaks.get('nearCount')!.filter(([c]) => c >= 43 && c <= 50).length;
    const nearDistinct = result.peaks.get('nearDistinct')!.filter(([, d]) => d >= 8 && d <= 10).length;
    expect(near).toBeGreaterThanOrEqual(40);
    expect(nearDistinct).toBeGreaterThanOrEqual(55);
    expect(result.peaks.get('crossCount')!.every(([c]) => c > 50)).toBe(true);
  });

  for (const rule of ['secret_access_spike', 'secret_enumeration', 'cross_cloud_secret_access']) {
    it(`${rule}: every exact finding and nothing else, with the exact counts`, () => {
      const s = result.scores.find((x) => x.rule === rule)!;
      expect(s.examples).toEqual([]);
      expect([s.missed, s.falseFindings]).toEqual([0, 0]);
      expect(s.exactFindings).toBeGreaterThanOrEqual(60);
      // Equal, except a count the engine itself flags as a lower bound (a group past its record's
      // cap, firing again a window after its first finding): never above the exact count.
      for (const pair of s.measurePairs.keys()) {
        const [exact, estimated] = pair.split(' / ') as [string, string];
        if (!estimated.endsWith('count is a lower bound')) expect(estimated).toBe(exact);
        else {
          const count = (m: string) => Number(/count=(\d+)/.exec(m)![1]);
          expect(count(estimated)).toBeLessThanOrEqual(count(exact));
          expect(estimated.replace(/count=\d+,?/, '').replace(',count is a lower bound', '')).toBe(exact.replace(/count=\d+,?/, ''));
        }
      }
    });
  }
});
