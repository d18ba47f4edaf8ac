import { describe, expect, it } from 'vitest';
import { ExactSpike, SECRET_ACCESS_SPIKE } from '../../bench/exact/exact-spike.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';

const T0 = Date.UTC(2026, 0, 5, 12);

function read(principal: string, ip: string, timeMs: number, secrets: string[]): SecretAccessEvent {
  return {
    time: new Date(timeMs).toISOString(),
    time_ms: timeMs,
    provider: 'aws',
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    action: 'read',
    outcome: 'success',
    principal: { id: principal, type: 'role', class: 'standard' },
    source: { ip },
    cloud: { account: '123456789012' },
    secrets,
    raw: { source: 'test', index: 0, format: 'cloudtrail' },
  };
}

/** Feeds events and returns the 0-based indexes of those that alerted. */
function alertsAt(exact: ExactSpike, events: SecretAccessEvent[]): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    if (exact.observe(e) !== undefined) out.push(i);
  });
  return out;
}

describe('ExactSpike (the accuracy benchmark reference)', () => {
  it('stays silent for 50 reads of one secret in an hour and fires on the 51st', () => {
    const exact = new ExactSpike();
    const events = Array.from({ length: 50 }, (_, i) => read('arn:role/a', '10.0.0.1', T0 + i * 1000, ['db']));
    expect(alertsAt(exact, events)).toEqual([]);
    const alert = exact.observe(read('arn:role/a', '10.0.0.1', T0 + 50_000, ['db']));
    expect(alert).toEqual({ principal: 'arn:role/a', ip: '10.0.0.1', timeMs: T0 + 50_000, count: 51, distinct: 1 });
  });

  it('fires on the 11th distinct secret, not on the 10th', () => {
    const exact = new ExactSpike();
    const events = Array.from({ length: 11 }, (_, i) => read('arn:role/b', '10.0.0.2', T0 + i * 1000, [`s${i}`]));
    expect(alertsAt(exact, events)).toEqual([10]);
  });

  it('counts distinct secrets across the ids of one event and ignores repeats', () => {
    const exact = new ExactSpike();
    const events = [
      read('p', '10.0.0.3', T0, ['a', 'b', 'c', 'd', 'e']),
      read('p', '10.0.0.3', T0 + 1, ['a', 'b', 'c', 'd', 'e']),
      read('p', '10.0.0.3', T0 + 2, ['f', 'g', 'h', 'i', 'j']),
      read('p', '10.0.0.3', T0 + 3, ['j', 'k']),
    ];
    expect(alertsAt(exact, events)).toEqual([3]);
  });

  it('slides: reads older than the hour leave the window', () => {
    const exact = new ExactSpike();
    // 50 reads in the first minute, then the 51st exactly one hour after the first: the first has
    // left the window (t - 1h, t], so there are 50 in it.
    const events = Array.from({ length: 50 }, (_, i) => read('p', '10.0.0.4', T0 + i * 1000, ['db']));
    events.push(read('p', '10.0.0.4', T0 + SECRET_ACCESS_SPIKE.windowMs, ['db']));
    expect(alertsAt(exact, events)).toEqual([]);
    // One millisecond earlier it would still have been inside.
    const again = new ExactSpike();
    const inside = events.slice(0, 50);
    inside.push(read('p', '10.0.0.4', T0 + SECRET_ACCESS_SPIKE.windowMs - 1, ['db']));
    expect(alertsAt(again, inside)).toEqual([50]);
  });

  it('keeps (principal, ip) groups apart and throttles per principal for 2h', () => {
    const exact = new ExactSpike();
    const other = Array.from({ length: 51 }, (_, i) => read('p', `10.0.1.${i % 2}`, T0 + i, ['db']));
    expect(alertsAt(exact, other)).toEqual([]); // 26 + 25 reads: two groups, neither above 50
    const first = Array.from({ length: 51 }, (_, i) => read('q', '10.0.2.1', T0 + 1000 + i, ['db']));
    expect(alertsAt(exact, first)).toEqual([50]);
    const sameIp = exact.observe(read('q', '10.0.2.1', T0 + 2000, ['db']));
    expect(sameIp).toBeUndefined();
    const secondIp = Array.from({ length: 51 }, (_, i) => read('q', '10.0.2.2', T0 + 3000 + i, ['db']));
    expect(alertsAt(exact, secondIp)).toEqual([]); // throttled: same principal within 2h
    expect(exact.throttled).toBe(2); // the 52nd read on 10.0.2.1 and the 51st on 10.0.2.2
    const later = Array.from({ length: 51 }, (_, i) => read('q', '10.0.2.3', T0 + 1000 + SECRET_ACCESS_SPIKE.throttleMs + i, ['db']));
    expect(alertsAt(exact, later)).toEqual([50]);
    expect(exact.groupCount).toBe(5);
  });

  it('agrees with a brute-force recount on a random stream (windows growing, sliding and shrinking)', () => {
    // Brute force: for each event, recount its group's events in (t - 1h, t] from scratch.
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const events: SecretAccessEvent[] = [];
    let t = T0;
    for (let i = 0; i < 3000; i++) {
      t += Math.floor(rand() * 20_000); // ~3000 events over ~8 hours
      const burst = Math.floor(t / 1_800_000) % 3 === 0; // some half hours are busy
      const n = rand() < 0.1 ? 3 : 1;
      const secrets = [...new Set(Array.from({ length: n }, () => `s${Math.floor(rand() * (burst ? 14 : 4))}`))];
      events.push(read(`p${Math.floor(rand() * 3)}`, `10.0.0.${Math.floor(rand() * 2)}`, t, secrets));
    }
    const expected: number[] = [];
    const lastAlert = new Map<string, number>();
    events.forEach((e, i) => {
      const inWindow = events.slice(0, i + 1).filter(
        (o) => o.principal.id === e.principal.id && o.source.ip === e.source.ip && o.time_ms > e.time_ms - SECRET_ACCESS_SPIKE.windowMs,
      );
      const distinct = new Set(inWindow.flatMap((o) => o.secrets)).size;
      if (inWindow.length <= 50 && distinct <= 10) return;
      const prev = lastAlert.get(e.principal.id);
      if (prev !== undefined && e.time_ms - prev < SECRET_ACCESS_SPIKE.throttleMs) return;
      lastAlert.set(e.principal.id, e.time_ms);
      expected.push(i);
    });
    expect(expected.length).toBeGreaterThan(5); // the stream does exercise the rule
    expect(alertsAt(new ExactSpike(), events)).toEqual(expected);
  });
});
