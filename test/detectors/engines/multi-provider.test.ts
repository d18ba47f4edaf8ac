import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../detectors/engines/create-engine.js';
import { event, firingIndexes, MIN, SEC, T0 } from './events.js';

function multi(atLeast = 2) {
  return createEngine(
    { type: 'multi_provider', group_by: ['source.ip'], at_least: atLeast, within: '10m', sketch: { capacity: 1000 } },
    { allowedLatenessMs: 15 * MIN },
  );
}

describe('multi_provider engine', () => {
  it('fires once when aws then azure share an IP within 10 minutes', () => {
    const engine = multi();
    const events = [
      event({ at: T0, provider: 'aws' }),
      event({ at: T0 + MIN, provider: 'aws' }),
      event({ at: T0 + 5 * MIN, provider: 'azure' }),
      event({ at: T0 + 6 * MIN, provider: 'azure' }),
      event({ at: T0 + 7 * MIN, provider: 'aws' }),
      event({ at: T0 + 8 * MIN, provider: 'gcp' }),
    ];
    const findings = events.map((e) => engine.observe(e));
    expect(findings.flatMap((f, i) => (f ? [i] : []))).toEqual([2]);
    expect(findings[2]).toEqual({
      event: events[2],
      group: { 'source.ip': '198.51.100.7' },
      summary: 'accessed secrets in 2 clouds (aws, azure) within 10m',
      measures: { providers: ['aws', 'azure'], window_seconds: 600 },
    });
  });

  it('does not fire when the clouds are further apart than the window (plus one sub-window)', () => {
    const engine = multi();
    const events = [event({ at: T0, provider: 'aws' }), event({ at: T0 + 15 * MIN, provider: 'azure' }), event({ at: T0 + 30 * MIN, provider: 'gcp' })];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([]);
  });

  it('does not join different IPs, nor events without an IP', () => {
    const engine = multi();
    const events = [
      event({ at: T0, provider: 'aws', ip: null }),
      event({ at: T0 + SEC, provider: 'azure', ip: null }),
      event({ at: T0 + 2 * SEC, provider: 'gcp', ip: '203.0.113.9' }),
      event({ at: T0 + 3 * SEC, provider: 'aws' }),
    ];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([]);
  });

  it('fires on the third cloud when at_least is 3', () => {
    const engine = multi(3);
    const events = [event({ at: T0, provider: 'gcp' }), event({ at: T0 + MIN, provider: 'aws' }), event({ at: T0 + 2 * MIN, provider: 'azure' })];
    const findings = events.map((e) => engine.observe(e));
    expect(findings.flatMap((f, i) => (f ? [i] : []))).toEqual([2]);
    expect(findings[2]!.measures['providers']).toEqual(['aws', 'gcp', 'azure']);
  });

  it('fires again after the IP was quiet for a window', () => {
    const engine = multi();
    const events = [
      event({ at: T0, provider: 'aws' }),
      event({ at: T0 + MIN, provider: 'azure' }),
      event({ at: T0 + 60 * MIN, provider: 'azure' }),
      event({ at: T0 + 61 * MIN, provider: 'aws' }),
    ];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([1, 3]);
  });

  it('counts a late event of the other cloud', () => {
    const engine = multi();
    const events = [event({ at: T0 + 9 * MIN, provider: 'aws' }), event({ at: T0 + 2 * MIN, provider: 'gcp' })];
    expect(firingIndexes((e) => engine.observe(e), events)).toEqual([1]);
  });

  it('keeps its pairs across snapshot and restore', () => {
    const engine = multi();
    engine.observe(event({ at: T0, provider: 'aws' }));
    const restored = multi();
    restored.restore(engine.snapshot());
    expect(restored.observe(event({ at: T0 + MIN, provider: 'gcp' }))?.measures['providers']).toEqual(['aws', 'gcp']);
  });
});
