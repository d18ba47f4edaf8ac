import type { Provider, SecretAccessEvent } from '../../normalizers/schema.js';
import { prng } from '../measure.js';

/**
 * Hours of secret reads that put the window edges to the test (issue 8): a background of many
 * quiet (principal, IP) groups at a fixed rate, and special groups generated to sit at or just
 * past each threshold of the built-in windowed rules, reading steadily as applications do so
 * that which events are inside (t - W, t] decides the answer:
 * - `nearCount`: steady readers whose sliding-hour count peaks around 43..50 (rule: > 50);
 * - `crossCount`: steady readers with one burst that takes them over 50;
 * - `nearDistinct`: ~30 reads an hour cycling over 8..10 secrets (rule: > 10 distinct);
 * - `crossDistinct`: the same, then 2..4 new secrets within an hour;
 * - `sequenceFire` / `sequenceQuiet`: 10 failed reads then a success, all 10 within 10 minutes /
 *   one of them 10 to 11 minutes before the success (rule: at least 10 within 10 minutes);
 * - `cloudFire` / `cloudQuiet`: an IP reads in AWS, then in GCP 9.5 / 10.5 minutes later (rule:
 *   2 clouds within 10 minutes).
 * Labels are only for reporting: scoring compares with the exact reference on the same events.
 *
 * Events come out in time order from `forEachEdgeEvent`, built one at a time (millions of them
 * would not fit as objects); special events are few enough to be held sorted.
 */
export interface EdgeWorkloadOptions {
  hours: number;
  backgroundKeys: number;
  backgroundPerHour: number;
  /** Groups of each special kind. */
  perKind: number;
  seed: number;
}

export const EDGE_KINDS = ['nearCount', 'crossCount', 'nearDistinct', 'crossDistinct', 'sequenceFire', 'sequenceQuiet', 'cloudFire', 'cloudQuiet'] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

interface SpecialEvent {
  time: number;
  principal: string;
  ip: string;
  provider: Provider;
  secret: string;
  failure: boolean;
}

export interface EdgeWorkload {
  options: EdgeWorkloadOptions;
  startMs: number;
  endMs: number;
  /** Special events, time order. */
  special: SpecialEvent[];
  /** Kind of each special group, by its principal (or IP, for the cloud kinds). */
  kindOf: Map<string, EdgeKind>;
  events: number;
}

const HOUR = 3_600_000;
const MIN = 60_000;
const ACCOUNT = '123456789012';
const PROVIDERS: readonly Provider[] = ['aws', 'gcp', 'azure'];

export function edgeWorkload(options: EdgeWorkloadOptions): EdgeWorkload {
  const rand = prng(options.seed);
  const startMs = Date.UTC(2026, 2, 2, 0, 0, 0);
  const endMs = startMs + options.hours * HOUR;
  const special: SpecialEvent[] = [];
  const kindOf = new Map<string, EdgeKind>();
  const between = (lo: number, hi: number) => lo + rand() * (hi - lo);
  const read = (time: number, principal: string, ip: string, secret: string, provider: Provider = 'aws', failure = false) => {
    if (time >= startMs && time < endMs) special.push({ time: Math.floor(time), principal, ip, provider, secret, failure });
  };
  /** Steady reads at `perHour` with +-25% jitter of the interval, from `from` to `to`. */
  const steady = (principal: string, ip: string, perHour: number, from: number, to: number, secretOf: (n: number) => string) => {
    const gap = HOUR / perHour;
    let n = 0;
    for (let t = from + rand() * gap; t < to; t += gap * between(0.75, 1.25)) read(t, principal, ip, secretOf(n++));
  };
  const n = options.perKind;
  for (let i = 0; i < n; i++) {
    const ip = `10.${(i >> 8) & 255}.${i & 255}.`;
    // Near the count threshold all along: the sliding maximum lands around 43..50.
    let p = `near-count-${i}`;
    kindOf.set(p, 'nearCount');
    steady(p, `${ip}1`, between(40, 44), startMs + between(0, 30) * MIN, endMs, (k) => `app/db-${k % 3}`);
    // Over it once: a steady reader with a burst of 14..24 extra reads within 20 minutes.
    p = `cross-count-${i}`;
    kindOf.set(p, 'crossCount');
    steady(p, `${ip}2`, between(38, 42), startMs + between(0, 30) * MIN, endMs, (k) => `app/api-${k % 2}`);
    const burstAt = startMs + between(1.5, options.hours - 1) * HOUR;
    const extra = Math.floor(between(14, 25));
    for (let k = 0; k < extra; k++) read(burstAt + between(0, 20) * MIN, p, `${ip}2`, 'app/api-0');
    // Near the distinct threshold: 30 reads an hour over 8..10 secrets.
    p = `near-distinct-${i}`;
    kindOf.set(p, 'nearDistinct');
    const pool = 8 + Math.floor(rand() * 3);
    steady(p, `${ip}3`, 30, startMs + between(0, 30) * MIN, endMs, (k) => `team/s-${(k * 7 + Math.floor(rand() * pool)) % pool}`);
    // Over it once: 9 secrets, then 2..4 new ones read within an hour.
    p = `cross-distinct-${i}`;
    kindOf.set(p, 'crossDistinct');
    steady(p, `${ip}4`, 30, startMs + between(0, 30) * MIN, endMs, (k) => `team/t-${k % 9}`);
    const newAt = startMs + between(1.5, options.hours - 1) * HOUR;
    const fresh = 2 + Math.floor(rand() * 3);
    for (let k = 0; k < fresh; k++) read(newAt + between(0, 50) * MIN, p, `${ip}4`, `team/new-${k}`);
    // Enumeration: 10 failures then a success; quiet groups have one failure 10..11 minutes early.
    for (const [kind, early] of [['sequenceFire', false], ['sequenceQuiet', true]] as const) {
      p = `${kind}-${i}`;
      kindOf.set(p, kind);
      const at = startMs + between(0.5, options.hours - 0.1) * HOUR;
      const sip = `${ip}${kind === 'sequenceFire' ? 5 : 6}`;
      // The first failure: inside (at - 10m, at] or, for quiet ones, in [at - 11m, at - 10m]
      // (exactly 10 minutes for every tenth group: the edge itself is out).
      const first = early ? (i % 10 === 0 ? at - 10 * MIN : at - between(10, 11) * MIN) : at - between(5, 9.9) * MIN;
      read(first, p, sip, `guess-0`, 'aws', true);
      for (let k = 1; k < 10; k++) read(at - between(0.02, 4.9) * MIN, p, sip, `guess-${k}`, 'aws', true);
      read(at, p, sip, 'app/found', 'aws');
    }
    // Cross-cloud: AWS then GCP 9.5 / 10.5 minutes later from one IP.
    for (const [kind, gap] of [['cloudFire', 9.5], ['cloudQuiet', 10.5]] as const) {
      const cip = `172.${16 + (i >> 8)}.${i & 255}.${kind === 'cloudFire' ? 1 : 2}`;
      kindOf.set(cip, kind);
      const at = startMs + between(0.2, options.hours - 0.5) * HOUR;
      read(at, `cloud-${kind}-${i}`, cip, 'app/x', 'aws');
      read(at + gap * MIN, `cloud-${kind}-${i}@gcp`, cip, 'projects/p/secrets/x', 'gcp');
    }
  }
  special.sort((a, b) => a.time - b.time);
  const background = Math.round((options.backgroundPerHour * (endMs - startMs)) / HOUR);
  return { options, startMs, endMs, special, kindOf, events: background + special.length };
}

function build(time: number, principal: string, ip: string, provider: Provider, secret: string, failure: boolean, index: number): SecretAccessEvent {
  return {
    time: new Date(time).toISOString(),
    time_ms: time,
    provider,
    service: provider === 'aws' ? 'secretsmanager' : provider === 'gcp' ? 'secretmanager' : 'keyvault',
    operation: provider === 'aws' ? 'GetSecretValue' : provider === 'gcp' ? 'AccessSecretVersion' : 'SecretGet',
    action: 'read',
    outcome: failure ? 'failure' : 'success',
    ...(failure ? { error_code: 'AccessDeniedException' } : {}),
    principal: { id: principal, type: 'role', class: 'standard' },
    source: { ip },
    cloud: { account: ACCOUNT, region: 'us-east-1' },
    secrets: [secret],
    raw: { source: 'edge-workload', index, format: 'bench' },
  };
}

/**
 * Calls `visit` for every event in time order: the background (one read every
 * 1 h / backgroundPerHour, a random key of `backgroundKeys`, each key a fixed principal, IP, cloud
 * and one or two secrets of its own) merged with the special events. The index is the event's position in that order.
 */
export function forEachEdgeEvent(w: EdgeWorkload, visit: (event: SecretAccessEvent, index: number) => void): void {
  const { backgroundKeys, backgroundPerHour, seed } = w.options;
  const rand = prng(seed ^ 0x5a5a5a5a);
  const step = HOUR / backgroundPerHour;
  const total = Math.round((backgroundPerHour * (w.endMs - w.startMs)) / HOUR);
  let s = 0;
  let index = 0;
  const special = w.special;
  for (let j = 0; j < total; j++) {
    const time = w.startMs + Math.floor(j * step);
    while (s < special.length && special[s]!.time <= time) {
      const e = special[s++]!;
      visit(build(e.time, e.principal, e.ip, e.provider, e.secret, e.failure, index), index++);
    }
    const key = Math.floor(rand() * backgroundKeys);
    const principal = `bg-${key >>> 2}`;
    const ip = `192.${(key >>> 16) & 255}.${(key >>> 8) & 255}.${key & 255}`;
    // Applications read their own one or two secrets again and again (as in the spike workload).
    visit(build(time, principal, ip, PROVIDERS[key % 3]!, `bg/${key}-s${rand() < 0.3 ? 1 : 0}`, false, index), index++);
  }
  while (s < special.length) {
    const e = special[s++]!;
    visit(build(e.time, e.principal, e.ip, e.provider, e.secret, e.failure, index), index++);
  }
}
