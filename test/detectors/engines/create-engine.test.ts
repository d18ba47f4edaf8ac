import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../detectors/engines/create-engine.js';

const lateness = { allowedLatenessMs: 15 * 60_000 };

describe('createEngine', () => {
  it('refuses a threshold without count_above or distinct, naming the keys', () => {
    expect(() => createEngine({ type: 'threshold', group_by: ['principal.id'], window: '1h' }, lateness)).toThrow(
      expect.objectContaining({ code: 'SW_RULE_INVALID', message: expect.stringContaining('count_above') }),
    );
  });

  it('refuses a sub_windows that does not divide the window', () => {
    expect(() =>
      createEngine({ type: 'threshold', group_by: ['principal.id'], window: '1h', count_above: 5, sketch: { sub_windows: 7 } }, lateness),
    ).toThrow(expect.objectContaining({ code: 'SW_RULE_INVALID', message: expect.stringContaining('engine.sketch.sub_windows') }));
  });

  it('turns sketch option errors into SW_RULE_INVALID naming engine.sketch', () => {
    expect(() =>
      createEngine({ type: 'threshold', group_by: ['principal.id'], window: '1h', count_above: 5, sketch: { width: 48 } }, lateness),
    ).toThrow(expect.objectContaining({ code: 'SW_RULE_INVALID', message: expect.stringContaining('engine.sketch') }));
  });

  it('picks a sub-window count that divides an odd window', () => {
    const engine = createEngine({ type: 'threshold', group_by: ['principal.id'], window: '7001ms', count_above: 5, sketch: { width: 1024 } }, lateness);
    expect(engine.stats().memory_bytes).toBeGreaterThan(0);
  });
});
