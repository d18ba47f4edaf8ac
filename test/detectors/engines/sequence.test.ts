import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../detectors/engines/create-engine.js';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { event, firingIndexes, MIN, SEC, T0 } from './events.js';

const isFinal = (e: SecretAccessEvent) => e.outcome === 'success';
const isPreceding = (e: SecretAccessEvent) => e.outcome === 'failure';

function sequence() {
  return createEngine(
    {
      type: 'sequence',
      group_by: ['principal.id'],
      preceded_by: { match: { outcome: 'failure' }, at_least: 10 },
      within: '10m',
      sketch: { width: 2 ** 10 },
    },
    { allowedLatenessMs: 15 * MIN, isFinal, isPreceding },
  );
}

const failures = (n: number, start: number, principal?: string) =>
  Array.from({ length: n }, (_, i) => event({ at: start + i * SEC, outcome: 'failure', ...(principal ? { principal } : {}) }));
const success = (at: number, principal?: string) => event({ at, outcome: 'success', ...(principal ? { principal } : {}) });

describe('sequence engine', () => {
  it('does not fire on a success after 9 failures', () => {
    const engine = sequence();
    expect(firingIndexes((e) => engine.observe(e), [...failures(9, T0), success(T0 + MIN)])).toEqual([]);
  });

  it('fires on the success after 10 failures, at the success', () => {
    const engine = sequence();
    const events = [...failures(10, T0), success(T0 + MIN)];
    const findings = events.map((e) => engine.observe(e));
    expect(findings.slice(0, 10).every((f) => f === undefined)).toBe(true);
    expect(findings[10]).toEqual({
      event: events[10],
      group: { 'principal.id': 'arn:aws:iam::123456789012:user/alice' },
      summary: 'called GetSecretValue after 10 preceding failures within 10m',
      measures: { failures: 10, window_seconds: 600 },
    });
  });

  it('does not count failures older than `within` (plus one sub-window)', () => {
    const engine = sequence();
    const events = [...failures(10, T0), ...failures(5, T0 + 12 * MIN), success(T0 + 13 * MIN)];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([]);
  });

  it('does not fire again for the same failures, and fires for fresh ones', () => {
    const engine = sequence();
    const events = [
      ...failures(12, T0),
      success(T0 + MIN), // 10
      success(T0 + MIN + SEC), // same failures: silent
      ...failures(9, T0 + 2 * MIN),
      success(T0 + 3 * MIN), // 9 fresh: silent
      ...failures(1, T0 + 3 * MIN + SEC),
      success(T0 + 3 * MIN + 2 * SEC), // 10 fresh
    ];
    const findings = events.map((e) => engine.observe(e));
    expect(findings.flatMap((f, i) => (f ? [i] : []))).toEqual([12, 25]);
    expect(findings[12]!.measures['failures']).toBe(12);
    expect(findings[25]!.measures['failures']).toBe(10);
  });

  it('keeps groups apart and ignores failures after the success', () => {
    const engine = sequence();
    const events = [...failures(5, T0, 'bob'), ...failures(5, T0), success(T0 + MIN), ...failures(10, T0 + 2 * MIN, 'bob'), success(T0 + MIN + 30 * SEC, 'bob')];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([]);
  });

  it('continues after snapshot and restore', () => {
    const engine = sequence();
    for (const e of failures(10, T0)) engine.observe(e);
    const restored = sequence();
    restored.restore(engine.snapshot());
    expect(restored.observe(success(T0 + MIN))?.measures['failures']).toBe(10);
  });

  it('needs the preceding predicate', () => {
    expect(() =>
      createEngine(
        { type: 'sequence', group_by: ['principal.id'], preceded_by: { match: {}, at_least: 2 }, within: '10m' },
        { allowedLatenessMs: 0 },
      ),
    ).toThrow(expect.objectContaining({ code: 'SW_RULE_INVALID' }));
  });
});
