import { describe, expect, it } from 'vitest';
import { eventTime, forEachEvent, groupIp, ipGroup, KIND, spikeWorkload } from '../../bench/gen/spike-workload.js';

describe('spikeWorkload (the accuracy benchmark stream)', () => {
  const w = spikeWorkload(20_000, 120_000);

  it('spreads exactly the requested reads over the groups, in time order within one hour', () => {
    expect(w.eventGroup.length).toBe(120_000);
    expect(w.groupReads.reduce((a, b) => a + b, 0)).toBe(120_000);
    const seen = new Uint16Array(w.groups);
    for (const g of w.eventGroup) seen[g]!++;
    expect([...seen]).toEqual([...w.groupReads]);
    expect(eventTime(w, 0)).toBe(w.startMs);
    expect(eventTime(w, w.events - 1) - w.startMs).toBeLessThan(3_600_000);
  });

  it('generates the kinds with their read counts', () => {
    const reads = (kind: number) => [...w.groupReads].filter((_, g) => w.groupKind[g] === kind);
    expect(reads(KIND.spikeMany).length).toBe(100);
    expect(Math.min(...reads(KIND.spikeMany), ...reads(KIND.spikeOne))).toBeGreaterThanOrEqual(70);
    expect(Math.min(...reads(KIND.grey))).toBeGreaterThanOrEqual(40);
    expect(Math.max(...reads(KIND.grey))).toBeLessThanOrEqual(60);
    expect(Math.max(...reads(KIND.nearMiss))).toBeLessThanOrEqual(40);
    expect(Math.max(...reads(KIND.background))).toBeLessThanOrEqual(5);
  });

  it('builds events whose time string, address and secret match the arrays', () => {
    let checked = 0;
    forEachEvent(w, (e, i) => {
      if (i % 997 !== 0) return;
      expect(e.time).toBe(new Date(e.time_ms).toISOString());
      expect(e.time_ms).toBe(eventTime(w, i));
      expect(ipGroup(e.source.ip!)).toBe(w.eventGroup[i]);
      expect(e.secrets).toEqual([w.secrets[w.eventSecret[i]!]]);
      checked++;
    });
    expect(checked).toBe(121);
    expect(ipGroup(groupIp(0xabcdef))).toBe(0xabcdef);
  });

  it('is the same stream every time', () => {
    const again = spikeWorkload(20_000, 120_000);
    expect(again.eventGroup).toEqual(w.eventGroup);
    expect(again.eventSecret).toEqual(w.eventSecret);
  });
});
