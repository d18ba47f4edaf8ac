import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../detectors/engines/create-engine.js';
import type { Engine } from '../../../detectors/engines/engine.js';
import { counterBitsFor, SKETCH_DEFAULTS, thresholdGate, widthForCounterBits } from '../../../detectors/engines/sketch-defaults.js';
import { ThresholdEngine } from '../../../detectors/engines/threshold.js';
import type { EngineSpec } from '../../../detectors/ruleset/rule-schema.js';
import { isSecretwatchError } from '../../../src/errors/codes.js';
import { event, firingIndexes, HOUR, MIN, SEC, T0 } from './events.js';

const LATENESS = 15 * MIN;
const SMALL = { width: 2 ** 12 };

function threshold(extra: Partial<Extract<EngineSpec, { type: 'threshold' }>> = {}): Engine {
  return createEngine(
    { type: 'threshold', group_by: ['principal.id'], window: '1h', count_above: 50, sketch: SMALL, ...extra },
    { allowedLatenessMs: LATENESS },
  );
}

/** n reads by alice, one every `every` ms from `start`, reading s0, s1, s2 in turn. */
function reads(n: number, start: number, every = 10 * SEC, principal?: string) {
  return Array.from({ length: n }, (_, i) => event({ at: start + i * every, secrets: [`s${i % 3}`], ...(principal ? { principal } : {}) }));
}

describe('threshold engine: counts', () => {
  it('does not fire on exactly 50 reads in the window and fires on the 51st, at that event', () => {
    const engine = threshold();
    const events = reads(51, T0);
    const findings = events.map((e) => engine.observe(e));
    expect(findings.slice(0, 50).every((f) => f === undefined)).toBe(true);
    const f = findings[50]!;
    expect(f.event).toBe(events[50]);
    expect(f.group).toEqual({ 'principal.id': 'arn:aws:iam::123456789012:user/alice' });
    expect(f.summary).toBe('made 51 matching calls in 1h');
    expect(f.measures).toEqual({ count: 51, window_seconds: 3600, sample_secrets: ['s0', 's1', 's2'] });
  });

  it('fires once per burst, not for every further event', () => {
    const engine = threshold();
    expect(firingIndexes((e) => engine.observe(e), reads(200, T0))).toEqual([50]);
  });

  it('fires again for a new burst once the window has passed', () => {
    const engine = threshold();
    const events = [...reads(60, T0), ...reads(60, T0 + 3 * HOUR)];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([50, 110]);
  });

  it('does not fire for reads spread over more than the window', () => {
    const engine = threshold();
    // One read every 2 minutes for 4 hours: 30 per hour, at most 38 in a window plus one sub-window.
    expect(firingIndexes((e) => engine.observe(e), reads(120, T0, 2 * MIN))).toEqual([]);
  });

  it('does not count reads older than the window plus one sub-window', () => {
    const engine = threshold();
    const events = [...reads(50, T0), event({ at: T0 + HOUR + 15 * MIN + SEC })];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([]);
  });

  it('counts every read inside the window, up to its last millisecond', () => {
    const engine = threshold();
    const events = [...reads(50, T0), event({ at: T0 + HOUR - 1 })];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([50]);
  });

  it('counts groups apart', () => {
    const engine = threshold({ group_by: ['principal.id', 'source.ip'] });
    const events = Array.from({ length: 90 }, (_, i) =>
      event({ at: T0 + i * SEC, principal: i % 3 === 0 ? 'bob' : 'alice', ip: i % 2 === 0 ? '198.51.100.7' : '203.0.113.9' }),
    );
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([]);
  });

  it('counts a late event within the allowed lateness, and fires at it', () => {
    const engine = threshold();
    // 50 reads in the second sub-window, then one 11 minutes late, in the first sub-window.
    const events = [...reads(50, T0 + 16 * MIN, SEC), event({ at: T0 + 5 * MIN })];
    const findings = events.map((e) => engine.observe(e));
    expect(findings.findIndex((f) => f !== undefined)).toBe(50);
    expect(findings[50]!.measures['count']).toBe(51);
    expect(engine.stats().late_events).toBe(0);
  });

  it('counts events beyond the allowed lateness as late and ignores them', () => {
    const engine = threshold();
    const late = event({ at: T0 + MIN });
    const events = [...reads(50, T0 + 30 * MIN, SEC), late, event({ at: T0 + 31 * MIN })];
    const findings = events.map((e) => engine.observe(e));
    expect(findings[50]).toBeUndefined();
    expect(findings[51]!.measures['count']).toBe(51);
    expect(engine.stats().late_events).toBe(1);
  });

  it('fires exactly once, at the 51st event, when events arrive out of order', () => {
    const engine = threshold();
    // From 14 min on: the events straddle the first sub-window boundary (15 min).
    const times = Array.from({ length: 70 }, (_, i) => T0 + 14 * MIN + i * 5 * SEC);
    // A fixed shuffle (multiplying by 29 mod 71 permutes 1..70).
    const shuffled = times.map((_, i) => times[((i + 1) * 29) % 71 - 1]!);
    expect(new Set(shuffled).size).toBe(70);
    expect(firingIndexes((e) => engine.observe(e), shuffled.map((at) => event({ at })))).toEqual([50]);
  });

  it('reports memory fixed by configuration, whatever the number of groups', () => {
    const engine = threshold();
    const bytes = engine.stats().memory_bytes;
    const before = engine.stats().exact!;
    // width 2^12 x depth 4 x 1-byte counters x (4 sub-windows + 1 for 15 min lateness + 1) slots,
    // the recent-event log, and the bound of the candidates' exact records.
    const log = 20 * SKETCH_DEFAULTS.threshold.recentEvents + 4 * (SKETCH_DEFAULTS.threshold.recentEvents / 4);
    expect(bytes).toBe(2 ** 12 * 4 * 1 * 6 + log + before.bound_bytes);
    for (let i = 0; i < 5_000; i++) engine.observe(event({ at: T0 + i, principal: `p${i}` }));
    for (let i = 0; i < 5_000; i++) engine.observe(event({ at: T0 + 5_000 + i, principal: `p${i % 50}` }));
    const after = engine.stats();
    expect(after.memory_bytes).toBe(bytes);
    expect(after.exact!.groups).toBeLessThanOrEqual(after.exact!.capacity);
    expect(after.exact!.groups).toBeGreaterThan(0);
  });
});

describe('threshold engine: distinct values', () => {
  const distinct = () =>
    createEngine(
      { type: 'threshold', group_by: ['principal.id'], window: '1h', distinct: { field: 'secrets', above: 10 }, sketch: SMALL },
      { allowedLatenessMs: LATENESS },
    );

  it('does not fire on 10 distinct secrets however often they are read, and fires on the 11th', () => {
    const engine = distinct();
    const events = Array.from({ length: 100 }, (_, i) => event({ at: T0 + i * SEC, secrets: [`s${i % 10}`] }));
    events.push(event({ at: T0 + 101 * SEC, secrets: ['s10'] }), event({ at: T0 + 102 * SEC, secrets: ['s11'] }));
    const findings = events.map((e) => engine.observe(e));
    expect(findings.flatMap((f, i) => (f ? [i] : []))).toEqual([100]);
    expect(findings[100]!.summary).toBe('read 11 distinct secrets in 1h');
    expect(findings[100]!.measures['distinct_secrets']).toBe(11);
    expect(findings[100]!.measures['count']).toBeUndefined();
    expect(findings[100]!.measures['sample_secrets']).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10']);
  });

  it('counts a late distinct secret within the allowed lateness, and fires at it', () => {
    const engine = distinct();
    const events = Array.from({ length: 10 }, (_, i) => event({ at: T0 + 16 * MIN + i * SEC, secrets: [`s${i}`] }));
    events.push(event({ at: T0 + 5 * MIN, secrets: ['s0'] }), event({ at: T0 + 6 * MIN, secrets: ['s10'] }));
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([11]);
  });

  it('counts each secret of a multi-secret call', () => {
    const engine = distinct();
    const all = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const f = engine.observe(event({ at: T0, secrets: all }));
    expect(f?.measures['distinct_secrets']).toBe(12);
    expect(engine.observe(event({ at: T0 + SEC, secrets: ['s12'] }))).toBeUndefined();
  });

  it('fires on whichever threshold is crossed when both are set', () => {
    const engine = threshold({ count_above: 20, distinct: { field: 'secrets', above: 5 } });
    const events = Array.from({ length: 30 }, (_, i) => event({ at: T0 + i * SEC, secrets: [`s${Math.min(i, 3)}`] }));
    events.push(event({ at: T0 + 40 * SEC, secrets: ['a', 'b'] }));
    const findings = events.map((e) => engine.observe(e));
    expect(findings.flatMap((f, i) => (f ? [i] : []))).toEqual([20, 30]);
    expect(findings[20]!.summary).toBe('made 21 matching calls in 1h');
    expect(findings[30]!.summary).toBe('read 6 distinct secrets in 1h');
    expect(findings[30]!.measures).toMatchObject({ count: 31, distinct_secrets: 6 });
  });
});

describe('threshold engine: snapshot and restore', () => {
  it('continues counting after a round trip into a new engine', () => {
    const first = threshold();
    const events = reads(51, T0);
    for (const e of events.slice(0, 30)) expect(first.observe(e)).toBeUndefined();
    first.observe(event({ at: T0 - HOUR })); // late: counted in the stats, kept across the round trip
    const second = threshold();
    second.restore(first.snapshot());
    expect(second.stats().late_events).toBe(1);
    expect(firingIndexes((e) => second.observe(e), events.slice(30))).toEqual([20]);
  });

  it('refuses garbage with SW_STATE_CORRUPT and leaves its state as it was', () => {
    const engine = threshold();
    const events = reads(51, T0);
    for (const e of events.slice(0, 30)) engine.observe(e);
    const garbage = new Uint8Array(64).map((_, i) => (i * 37) & 255);
    expect(() => engine.restore(garbage)).toThrow(expect.objectContaining({ code: 'SW_STATE_CORRUPT' }));
    const snap = engine.snapshot();
    snap[snap.length - 10]! ^= 1;
    expect(() => engine.restore(snap)).toThrow(expect.objectContaining({ code: 'SW_STATE_CORRUPT' }));
    expect(firingIndexes((e) => engine.observe(e), events.slice(30))).toEqual([20]);
  });

  it('refuses a snapshot of another configuration with SW_STATE_INCOMPATIBLE', () => {
    const snap = threshold().snapshot();
    let error: unknown;
    try {
      threshold({ window: '2h' }).restore(snap);
    } catch (err) {
      error = err;
    }
    expect(isSecretwatchError(error) && error.code).toBe('SW_STATE_INCOMPATIBLE');
    expect(() => createEngine({ type: 'match' }, { allowedLatenessMs: 0 }).restore(snap)).toThrow(
      expect.objectContaining({ code: 'SW_STATE_INCOMPATIBLE' }),
    );
  });
});

describe('threshold engine: counter widths', () => {
  it('picks the narrowest counters whose maximum is at least 2 x threshold + 2', () => {
    expect([0, 10, 50, 126].map(counterBitsFor)).toEqual([8, 8, 8, 8]);
    expect([127, 1000, 32_766].map(counterBitsFor)).toEqual([16, 16, 16]);
    expect([32_767, 10 ** 6].map(counterBitsFor)).toEqual([32, 32]);
    expect([8, 16, 32].map((b) => widthForCounterBits(2 ** 20, b as 8 | 16 | 32))).toEqual([2 ** 20, 2 ** 19, 2 ** 18]);
  });

  it('gates at a quarter of count_above + 1 or at distinct.above + 1, never above a threshold + 1', () => {
    expect(thresholdGate(50, 10)).toBe(11);
    expect(thresholdGate(50, undefined)).toBe(13);
    expect(thresholdGate(undefined, 10)).toBe(11);
    expect(thresholdGate(3, undefined)).toBe(2);
    expect(thresholdGate(0, undefined)).toBe(1);
    expect(thresholdGate(undefined, 0)).toBe(1);
    expect(thresholdGate(1000, undefined)).toBe(251);
  });

  it('sizes the built-in thresholds (50 reads, 10 secrets) with an 8-bit gate sketch at the default width', () => {
    const engine = createEngine(
      { type: 'threshold', group_by: ['principal.id', 'source.ip'], window: '1h', count_above: 50, distinct: { field: 'secrets', above: 10 } },
      { allowedLatenessMs: LATENESS },
    ) as ThresholdEngine;
    expect([engine.countBits, engine.gateAt]).toEqual([8, 11]);
    const slots = 6; // 4 sub-windows of 15 min + 1 for 15 min lateness + 1
    const counts = SKETCH_DEFAULTS.threshold.width * 4 * slots;
    const log = 20 * SKETCH_DEFAULTS.threshold.recentEvents + 4 * (SKETCH_DEFAULTS.threshold.recentEvents / 4);
    const stats = engine.stats();
    expect(stats.memory_bytes).toBe(counts + log + stats.exact!.bound_bytes);
    expect(stats.exact!.capacity).toBe(SKETCH_DEFAULTS.threshold.candidates);
  });

  it('keeps the memory of a default sketch when a gate needs wider counters', () => {
    const at = (count_above: number) =>
      createEngine({ type: 'threshold', group_by: ['principal.id'], window: '1h', count_above }, { allowedLatenessMs: LATENESS }) as ThresholdEngine;
    const sketchBytes = (e: ThresholdEngine) => e.stats().memory_bytes - e.stats().exact!.bound_bytes;
    expect(at(600).countBits).toBe(16);
    expect(sketchBytes(at(600))).toBe(sketchBytes(at(50)));
    expect(at(200_000).countBits).toBe(32);
    expect(sketchBytes(at(200_000))).toBe(sketchBytes(at(50)));
  });

  it('fires once when a burst saturates the 8-bit counters of a sub-window, and reports no saturation', () => {
    const engine = threshold();
    // 600 reads in 10 minutes: one sub-window, whose counters stop at 255.
    expect(firingIndexes((e) => engine.observe(e), reads(600, T0, SEC))).toEqual([50]);
    expect(engine.stats().saturated).toBe(0);
    // A window later the group is over again: it fires again, once.
    expect(firingIndexes((e) => engine.observe(e), reads(300, T0 + 2 * HOUR, SEC))).toEqual([50]);
  });

  it('counts past 255 when the threshold needs it', () => {
    const engine = threshold({ count_above: 1000 }) as ThresholdEngine;
    const findings = reads(1001, T0, 500).map((e) => engine.observe(e));
    expect(findings.flatMap((f, i) => (f ? [i] : []))).toEqual([1000]);
    expect(findings[1000]!.measures['count']).toBe(1001);
  });

  it('fires once on a sweep of 400 distinct secrets in one sub-window', () => {
    const engine = createEngine(
      { type: 'threshold', group_by: ['principal.id'], window: '1h', distinct: { field: 'secrets', above: 10 }, sketch: SMALL },
      { allowedLatenessMs: LATENESS },
    );
    const sweep = Array.from({ length: 400 }, (_, i) => event({ at: T0 + i * SEC, secrets: [`s${i}`] }));
    const again = Array.from({ length: 400 }, (_, i) => event({ at: T0 + 20 * MIN + i * SEC, secrets: [`s${i}`] }));
    expect(firingIndexes((e) => engine.observe(e), [...sweep, ...again])).toEqual([10]);
    const f = engine.observe(event({ at: T0 + 59 * MIN, secrets: ['s0'] }));
    expect(f).toBeUndefined();
    expect(engine.stats().saturated).toBe(0);
  });
});
