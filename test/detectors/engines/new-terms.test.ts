import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../detectors/engines/create-engine.js';
import type { RuleField } from '../../../detectors/ruleset/field-path.js';
import { DAY, event, firingIndexes, HOUR, MIN, T0 } from './events.js';

const LATENESS = 15 * MIN;

function newTerms(fields: RuleField[] = ['principal.id', 'source.ip'], history = '10d') {
  return createEngine({ type: 'new_terms', fields, history, sketch: { capacity: 1000 } }, { allowedLatenessMs: LATENESS });
}

describe('new_terms engine', () => {
  it('fires on the first occurrence of a combination and not on the second', () => {
    const engine = newTerms();
    const first = engine.observe(event({ at: T0, ip: '198.51.100.7' }));
    expect(first).toEqual({
      event: expect.objectContaining({ time_ms: T0 }),
      group: { 'principal.id': 'arn:aws:iam::123456789012:user/alice', 'source.ip': '198.51.100.7' },
      summary: 'called GetSecretValue, the first time in 10d for this principal.id and source.ip',
      measures: { history_seconds: 864_000, terms: ['arn:aws:iam::123456789012:user/alice', '198.51.100.7'] },
    });
    expect(engine.observe(event({ at: T0 + HOUR, ip: '198.51.100.7' }))).toBeUndefined();
    // Another IP for the same principal is another combination.
    expect(engine.observe(event({ at: T0 + 2 * HOUR, ip: '203.0.113.9' }))).toBeDefined();
  });

  it('quiet (learning) observation updates the state exactly as a loud one, without the finding texts', () => {
    const loud = newTerms();
    const quiet = newTerms();
    const events = Array.from({ length: 40 }, (_, i) => event({ at: T0 + i * 7 * HOUR, ip: `198.51.100.${i % 9}` }));
    const loudFired = firingIndexes((e) => loud.observe(e), events);
    const quietFired = firingIndexes((e) => quiet.observe(e, true), events);
    expect(quietFired).toEqual(loudFired);
    expect(loudFired.length).toBeGreaterThan(5);
    expect(quiet.snapshot()).toEqual(loud.snapshot());
    const q = quiet.observe(event({ at: T0 + 400 * HOUR, ip: '203.0.113.1' }), true);
    expect(q).toMatchObject({ summary: '', measures: {} });
    expect(q?.event.time_ms).toBe(T0 + 400 * HOUR);
  });

  it('fires again once the term has not been seen for the whole history', () => {
    const engine = newTerms();
    const events = [
      event({ at: T0 }),
      event({ at: T0 + 5 * DAY }), // seen: keeps the term alive until day 15
      event({ at: T0 + 14 * DAY }),
      event({ at: T0 + 26 * DAY }), // 12 days after the last: past 10 days plus one 1-day sub-window
      event({ at: T0 + 27 * DAY }),
    ];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([0, 3]);
  });

  it('keeps learning: every observed term is remembered (the detector drops findings while learning)', () => {
    const engine = newTerms(['principal.id']);
    const principals = Array.from({ length: 200 }, (_, i) => `p${i}`);
    expect(firingIndexes((e) => engine.observe(e), principals.map((p, i) => event({ at: T0 + i, principal: p })))).toHaveLength(200);
    expect(firingIndexes((e) => engine.observe(e), principals.map((p, i) => event({ at: T0 + DAY + i, principal: p })))).toEqual([]);
  });

  it('skips events missing one of the fields', () => {
    const engine = newTerms();
    expect(engine.observe(event({ at: T0, ip: null }))).toBeUndefined();
    expect(engine.observe(event({ at: T0 + 1, ip: null }))).toBeUndefined();
    expect(engine.observe(event({ at: T0 + 2 }))).toBeDefined();
  });

  it('makes one term per value of a multi-valued field and fires once per event', () => {
    const engine = newTerms(['principal.id', 'secrets']);
    const f = engine.observe(event({ at: T0, secrets: ['a', 'b'] }));
    expect(f?.measures['terms']).toEqual(['arn:aws:iam::123456789012:user/alice', 'a']);
    expect(f?.group).toEqual({ 'principal.id': 'arn:aws:iam::123456789012:user/alice', secrets: 'a' });
    expect(engine.observe(event({ at: T0 + 1, secrets: ['b'] }))).toBeUndefined();
    expect(engine.observe(event({ at: T0 + 2, secrets: ['b', 'c'] }))?.measures['terms']).toEqual([
      'arn:aws:iam::123456789012:user/alice',
      'c',
    ]);
  });

  it('does not call a late event new when the term was seen after it', () => {
    const engine = newTerms();
    expect(engine.observe(event({ at: T0 + 10 * MIN }))).toBeDefined();
    expect(engine.observe(event({ at: T0 }))).toBeUndefined();
    expect(engine.observe(event({ at: T0 - HOUR }))).toBeUndefined();
    expect(engine.stats().late_events).toBe(1);
  });

  it('keeps what it learned across snapshot and restore', () => {
    const engine = newTerms();
    engine.observe(event({ at: T0 }));
    const restored = newTerms();
    restored.restore(engine.snapshot());
    expect(restored.observe(event({ at: T0 + DAY }))).toBeUndefined();
    expect(restored.observe(event({ at: T0 + DAY, ip: '203.0.113.9' }))).toBeDefined();
    expect(() => newTerms(['principal.id']).restore(engine.snapshot())).toThrow(expect.objectContaining({ code: 'SW_STATE_INCOMPATIBLE' }));
  });
});
