import { describe, expect, it } from 'vitest';
import { CandidateGroups } from '../../../detectors/engines/candidate-groups.js';
import { createEngine } from '../../../detectors/engines/create-engine.js';
import type { Engine } from '../../../detectors/engines/engine.js';
import { GroupTimeline } from '../../../detectors/engines/group-timeline.js';
import { LastSeenTable } from '../../../detectors/engines/last-seen-table.js';
import type { EngineSpec } from '../../../detectors/ruleset/rule-schema.js';
import { LOG_FIRST_OF_EVENT, LOG_HAS_VALUE, RecentLog } from '../../../detectors/sketch/recent-log.js';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { event, firingIndexes, HOUR, MIN, SEC, T0 } from './events.js';

const LATENESS = 15 * MIN;

function threshold(extra: Partial<Extract<EngineSpec, { type: 'threshold' }>> = {}): Engine {
  return createEngine(
    { type: 'threshold', group_by: ['principal.id'], window: '1h', count_above: 50, sketch: { width: 2 ** 12 }, ...extra },
    { allowedLatenessMs: LATENESS },
  );
}

const observeAll = (engine: Engine, events: readonly SecretAccessEvent[]) => firingIndexes((e) => engine.observe(e), events);

describe('threshold: the window is (t - W, t], to the millisecond', () => {
  // 50 reads, the first at T0, the 49 others 30 minutes later, then the 51st at T0 + W + d.
  const around = (d: number) => [event({ at: T0 }), ...Array.from({ length: 49 }, (_, i) => event({ at: T0 + 30 * MIN + i * SEC })), event({ at: T0 + HOUR + d })];

  it('an event exactly W old is out, one W - 1 ms old is in', () => {
    expect(observeAll(threshold(), around(0))).toEqual([]);
    expect(observeAll(threshold(), around(-1))).toEqual([50]);
    expect(observeAll(threshold(), around(SEC))).toEqual([]);
    expect(observeAll(threshold(), around(-SEC))).toEqual([50]);
  });

  it('reports the exact count at the crossing', () => {
    const engine = threshold();
    const events = around(-1);
    const findings = events.map((e) => engine.observe(e));
    expect(findings[50]?.measures['count']).toBe(51);
  });

  it('a late event crosses in a window ending after it', () => {
    const engine = threshold({ count_above: 3 });
    // 0m, 50m, 55m, 61m, then a late read stamped 47m (14 minutes late, within the lateness). The
    // window ending at the late read holds 0m and 47m (2); the one ending at 55m holds 0, 47, 50, 55: 4 > 3.
    const events = [0, 50, 55, 61, 47].map((m) => event({ at: T0 + m * MIN }));
    expect(observeAll(engine, events)).toEqual([4]);
  });

  it('fires again when the count re-crosses within a window after a finding', () => {
    const engine = threshold({ count_above: 3 });
    // 4 reads (fires), the first two leave the window, 2 more re-cross.
    const events = [0, 1, 30, 31].map((m) => event({ at: T0 + m * MIN }));
    events.push(event({ at: T0 + 61 * MIN + 1 }), event({ at: T0 + 62 * MIN }));
    // At 61m+1ms: (1m+1ms, 61m+1ms] holds 30, 31, 61: 3. At 62m: 30, 31, 61, 62: 4 > 3 again.
    expect(observeAll(engine, events)).toEqual([3, 5]);
  });
});

describe('threshold: candidates and the recent-event log', () => {
  it('takes a candidate\'s earlier events from the log, to the millisecond', () => {
    // Gate 2 (count_above 3): the second read makes the group a candidate; the first comes from the log.
    const engine = threshold({ count_above: 3 });
    const events = [event({ at: T0 }), event({ at: T0 + 59 * MIN }), event({ at: T0 + 59 * MIN + 1 }), event({ at: T0 + HOUR + 1 })];
    // At T0 + 1h + 1 ms the first read is 1h + 1 ms old: out. 3 in the window: silent.
    expect(observeAll(engine, events)).toEqual([]);
    expect(engine.stats().exact).toMatchObject({ groups: 1, approximate: 0 });
  });

  // count_above 24 gates at 4: three early reads leave alice below the gate, so they are never on
  // a record; a log of 4 entries then forgets them, and only the sketch knows them, by sub-window.
  const small = () => threshold({ count_above: 24, sketch: { width: 2 ** 12, recent_events: 4 } });
  const pushOut = (at: number) => [0, 1, 2, 3].map((i) => event({ at: at + i, principal: `noise-${i}` }));
  const burst = (at: number, n: number) => Array.from({ length: n }, (_, i) => event({ at: at + i * SEC }));

  it('counts events that left the log while their whole sub-window is inside the window', () => {
    const engine = small();
    const early = [1, 2, 3].map((m) => event({ at: T0 + m * MIN }));
    // At 50m the window (-10m, 50m] holds the sub-window [0, 15m): 3 + 22 = 25 > 24 on the last read.
    expect(observeAll(engine, [...early, ...pushOut(T0 + 4 * MIN), ...burst(T0 + 50 * MIN, 22)])).toEqual([28]);
    expect(engine.stats().exact!.approximate).toBe(1);
  });

  it('never counts a sub-window that reaches older than the window (the documented under-count)', () => {
    const engine = small();
    const early = [12, 13, 14].map((m) => event({ at: T0 + m * MIN }));
    // At 70m+ the window starts after 10m, inside the sub-window [0, 15m): its 3 reads count for
    // nothing, though exact counting would count all 3 (25 > 24). Never too old; here one too few.
    expect(observeAll(engine, [...early, ...pushOut(T0 + 15 * MIN), ...burst(T0 + 70 * MIN, 22)])).toEqual([]);
    expect(engine.stats().exact!.approximate).toBe(1);
  });

  it('keeps at most `candidates` groups, the lightest of the least recently used going first', () => {
    const engine = threshold({ count_above: 3, sketch: { width: 2 ** 12, candidates: 4 } });
    const busy = [0, 1, 2].map((s) => event({ at: T0 + s * SEC, principal: 'busy' }));
    const quiet = Array.from({ length: 20 }, (_, i) => [event({ at: T0 + MIN + i * SEC, principal: `q${i}` }), event({ at: T0 + MIN + i * SEC + 1, principal: `q${i}` })]).flat();
    // busy (3 reads) survives the 20 quiet candidates (2 reads each) and crosses on its 4th read.
    expect(observeAll(engine, [...busy, ...quiet, event({ at: T0 + 2 * MIN, principal: 'busy' })])).toEqual([43]);
    const exact = engine.stats().exact!;
    expect(exact.groups).toBe(4);
    expect(exact.evictions).toBe(17);
  });

  it('round-trips candidates, log and counts through a snapshot', () => {
    const first = threshold({ count_above: 5, distinct: { field: 'secrets', above: 3 } });
    const events = Array.from({ length: 6 }, (_, i) => event({ at: T0 + i * MIN, secrets: [`s${i % 4}`] }));
    expect(observeAll(first, events.slice(0, 3))).toEqual([]);
    const second = threshold({ count_above: 5, distinct: { field: 'secrets', above: 3 } });
    second.restore(first.snapshot());
    // 4th read: 4 distinct secrets > 3 fires; 6th read: 6 reads > 5 fires.
    expect(observeAll(second, events.slice(3))).toEqual([0, 2]);
    expect(() => second.restore(first.snapshot().slice(0, 100))).toThrow(expect.objectContaining({ code: 'SW_STATE_CORRUPT' }));
  });
});

describe('GroupTimeline', () => {
  it('tallies events dropped by its cap so that a burst still counts in full', () => {
    const rec = new GroupTimeline(5, 0);
    for (let i = 0; i < 20; i++) rec.addEvent(T0 + i);
    expect(rec.countIn(T0 + 19, HOUR)).toBe(20);
    // Once the window no longer holds the first dropped event, the tally stops counting (never too old).
    expect(rec.countIn(T0 + HOUR, HOUR)).toBe(5);
    expect(rec.overflowed).toBe(true);
  });

  it('drops repeated values first when over its value cap', () => {
    const rec = new GroupTimeline(100, 4);
    [1, 1, 1, 2, 3].forEach((v, i) => rec.addValue(T0 + i, v));
    expect(rec.distinctIn(T0 + 10, HOUR, new Set())).toBe(3);
    expect(rec.overflowed).toBe(false);
  });
});

describe('RecentLog', () => {
  it('finds a key\'s entries newest first and forgets what the ring overwrote', () => {
    const log = new RecentLog(8);
    for (let i = 0; i < 6; i++) log.append(i % 2 === 0 ? 100 : 200, i, T0 + i, LOG_FIRST_OF_EVENT | LOG_HAS_VALUE);
    const seen: number[] = [];
    log.forEachOf(100, (t, aux) => seen.push(aux));
    expect(seen).toEqual([4, 2, 0]);
    for (let i = 6; i < 12; i++) log.append(300, i, T0 + i, LOG_FIRST_OF_EVENT);
    seen.length = 0;
    log.forEachOf(100, (t, aux) => seen.push(aux));
    expect(seen).toEqual([4]);
    expect(log.evictedMaxTimeMs).toBe(T0 + 3);
    const copy = RecentLog.deserialize(log.serialize());
    seen.length = 0;
    copy.forEachOf(300, (t, aux, flags) => seen.push(aux * 10 + flags));
    expect(seen).toEqual([111, 101, 91, 81, 71, 61]);
  });
});

describe('multi_provider: exact last sightings', () => {
  const mp = () =>
    createEngine({ type: 'multi_provider', group_by: ['source.ip'], at_least: 2, within: '10m' }, { allowedLatenessMs: LATENESS });

  it('the other cloud exactly W earlier is out, W - 1 ms earlier is in', () => {
    const pair = (d: number) => [event({ at: T0, provider: 'aws' }), event({ at: T0 + 10 * MIN + d, provider: 'gcp' })];
    expect(observeAll(mp(), pair(0))).toEqual([]);
    expect(observeAll(mp(), pair(-1))).toEqual([1]);
    expect(observeAll(mp(), pair(30 * SEC))).toEqual([]);
    expect(observeAll(mp(), pair(-30 * SEC))).toEqual([1]);
  });

  it('forgets the stalest group when a group\'s probe slots are all live, and counts it', () => {
    const table = new LastSeenTable(16, 3, 25 * MIN);
    for (let i = 0; i < 17; i++) table.record(-1, 0, i + 1, 0, T0 + i, T0 + i);
    expect(table.evictions).toBe(1);
    expect(table.find(0, 1)).toBe(-1);
    expect(table.lastSeen(table.find(0, 17), 0)).toBe(T0 + 16);
  });
});

describe('sequence: exact failures', () => {
  const isFinal = (e: SecretAccessEvent) => e.outcome === 'success';
  const isPreceding = (e: SecretAccessEvent) => e.outcome === 'failure';
  const seq = () =>
    createEngine(
      { type: 'sequence', group_by: ['principal.id'], preceded_by: { match: { outcome: 'failure' }, at_least: 3 }, within: '10m' },
      { allowedLatenessMs: LATENESS, isFinal, isPreceding },
    );
  const fail = (at: number) => event({ at, outcome: 'failure' });
  const ok = (at: number) => event({ at });

  it('counts failures in (t - W, t] and consumes them at a finding', () => {
    expect(observeAll(seq(), [fail(T0), fail(T0 + MIN), fail(T0 + 2 * MIN), ok(T0 + 10 * MIN)])).toEqual([]);
    expect(observeAll(seq(), [fail(T0), fail(T0 + MIN), fail(T0 + 2 * MIN), ok(T0 + 10 * MIN - 1)])).toEqual([3]);
    // After a finding, three fresh failures fire again at once (no window-long wait).
    const events = [fail(T0), fail(T0 + 1), fail(T0 + 2), ok(T0 + 3), ok(T0 + 4), fail(T0 + 5), fail(T0 + 6), fail(T0 + 7), ok(T0 + 8)];
    expect(observeAll(seq(), events)).toEqual([3, 8]);
  });
});

describe('CandidateGroups', () => {
  it('evicts the lightest of the 8 least recently used', () => {
    const groups = new CandidateGroups<number>(3, (w) => w);
    groups.add('a', 5);
    groups.add('b', 1);
    groups.add('c', 9);
    groups.add('d', 2);
    expect([...groups.entries()].map(([k]) => k)).toEqual(['a', 'c', 'd']);
    expect(groups.evictions).toBe(1);
  });
});

describe('exact-state serialization from a pooled Buffer', () => {
  it('reads a recent-event log and a last-seen table that sit inside a larger buffer', () => {
    const log = new RecentLog(8);
    log.append(7, 1, T0, LOG_FIRST_OF_EVENT);
    const table = new LastSeenTable(16, 3, MIN);
    table.record(-1, 1, 2, 0, T0, T0);
    // A subarray of a bigger Buffer: byteOffset is not 0 and `.buffer` holds other bytes.
    const pooledLog = Buffer.concat([Buffer.alloc(13, 0xff), Buffer.from(log.serialize())]).subarray(13);
    const seen: number[] = [];
    RecentLog.deserialize(pooledLog).forEachOf(7, (t) => seen.push(t));
    expect(seen).toEqual([T0]);
    const pooledTable = Buffer.concat([Buffer.alloc(13, 0xff), Buffer.from(table.serialize())]).subarray(13);
    const copy = LastSeenTable.deserialize(pooledTable);
    expect(copy.lastSeen(copy.find(1, 2), 0)).toBe(T0);
  });
});
