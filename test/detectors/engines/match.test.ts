import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../detectors/engines/create-engine.js';
import { event, T0 } from './events.js';

describe('match engine', () => {
  it('turns every event into a finding without measures', () => {
    const engine = createEngine({ type: 'match' }, { allowedLatenessMs: 0 });
    const e = event({ at: T0, operation: 'BatchGetSecretValue' });
    expect(engine.observe(e)).toEqual({ event: e, group: {}, summary: 'called BatchGetSecretValue', measures: {} });
    expect(engine.observe(event({ at: T0 - 1e9 }))).toBeDefined();
    expect(engine.stats()).toEqual({ memory_bytes: 0, late_events: 0, saturated: 0 });
  });
});
