import { prng } from '../../../bench/measure.js';
import type { Provider, SecretAccessEvent } from '../../../normalizers/schema.js';
import { expandTestEvents } from '../../../detectors/ruleset/test-events.js';
import type { TestEventSpec } from '../../../detectors/ruleset/test-event-schema.js';
import type { LoadedRule } from '../../../detectors/ruleset/load-rules.js';
import type { WindowedTargets } from './rules.js';

/**
 * Seeded random event streams aimed at the edges of the windowed rules: bursts that hover at
 * N and N + 1 events (or distinct secrets) in a window, with events placed exactly W - 1 s,
 * W - 1 ms, W, W + 1 ms and W + 1 s after the event whose leaving decides; re-crossings of a
 * count threshold within a window after a finding; failures N - 1, N and N + 1 strong starting
 * at those edges before a success, then second successes, consumed and fresh failures; a second
 * (and third) cloud W -/+ 30 s, 1 s, 1 ms after the first, on either side; findings placed
 * duration - 1 ms, duration and duration + 1 ms apart for every throttled rule; new terms either
 * side of the default learning period; late events exactly at, just within and just beyond
 * the allowed lateness; and events just beyond and exactly at the future limit. Events are built
 * by the rule-test event builder (test-events.ts), so each one is a short spec and `raw.index`
 * is its position in the stream.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Offsets from a window's edge: the event whose leaving decides is just in, at the edge, or out. */
const EDGES = [-SECOND, -1, 0, 1, SECOND];
const CLOUD_EDGES = [-30 * SECOND, -SECOND, -1, 0, 1, SECOND, 30 * SECOND];
const PROVIDERS: readonly Provider[] = ['aws', 'gcp', 'azure'];
/** 2026-01-10, a Saturday: the throttle stream stays in days off (after_hours fires all day). */
const SATURDAY = Date.UTC(2026, 0, 10);
const MONDAY = Date.UTC(2026, 0, 5);
export const DEFAULT_LATENESS_MS = 15 * MINUTE;

export interface DiffStream {
  /** `<kind> seed <seed>`. */
  name: string;
  seed: number;
  startMs: number;
  /** Detector option; undefined = the default (15 min). */
  allowedLatenessMs: number | undefined;
  /** The specs as generated, in arrival order (`at` is ms from startMs), for describing mismatches. */
  specs: { at: number; spec: TestEventSpec }[];
  events: SecretAccessEvent[];
}

type Rand = () => number;
type Spec = Omit<TestEventSpec, 'at'>;
interface Planned {
  at: number;
  spec: Spec;
}

const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const between = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

/** Groups of one stream: every episode reads as its own principal from its own IP. */
class Names {
  private n = 0;
  next(): { principal: string; ip: string } {
    const k = this.n++;
    return { principal: `arn:aws:iam::111111111111:user/e${k}`, ip: `198.51.${100 + (k >> 8)}.${k & 255}` };
  }
}

function read(at: number, who: { principal: string; ip: string }, extra: Spec = {}): Planned {
  return { at, spec: { principal: { id: who.principal }, source: { ip: who.ip }, ...extra } };
}

/** Times that hover at n and n + 1 events per window, with many events on a window edge. */
function hoverTimes(rand: Rand, n: number, windowMs: number, length: number): number[] {
  const times = [0];
  for (let i = 1; i < length; i++) {
    const previous = times[i - 1]!;
    let x: number;
    if (i > n && rand() < 0.45) x = times[i - n - (rand() < 0.5 ? 0 : 1)]! + windowMs + pick(rand, EDGES);
    else if (rand() < 0.04) x = previous + windowMs + pick(rand, EDGES); // a pause: the group starts over
    else x = previous + Math.floor((rand() * 2 * windowMs) / (n + 1));
    times.push(x >= previous ? x : previous + Math.floor(rand() * 1000));
  }
  return times;
}

/** Events hovering around a count threshold; few secrets so that no distinct part moves much. */
function countHover(rand: Rand, who: { principal: string; ip: string }, n: number, windowMs: number): Planned[] {
  const secrets = ['app/db', 'app/api'];
  return hoverTimes(rand, n, windowMs, 3 * (n + 1) + between(rand, 0, n)).map((t) => read(t, who, { secrets: [pick(rand, secrets)] }));
}

/** Events hovering around a distinct threshold: round-robin values, repeats, multi-valued and empty events. */
function distinctHover(rand: Rand, who: { principal: string; ip: string }, n: number, windowMs: number): Planned[] {
  const pool = Array.from({ length: n + between(rand, 1, 2) }, (_, i) => `app/s${i}`);
  let next = 0;
  return hoverTimes(rand, n, windowMs, 3 * (n + 1) + between(rand, 0, n)).map((t) => {
    const r = rand();
    let secrets: string[];
    if (r < 0.08) secrets = [];
    else if (r < 0.2) secrets = [pool[next++ % pool.length]!, pool[next++ % pool.length]!];
    else if (r < 0.3) secrets = [pool[(next + pool.length - 1) % pool.length]!]; // a repeat
    else secrets = [pool[next++ % pool.length]!];
    return read(t, who, { secrets });
  });
}

/**
 * A count crossing (the finding at the (n + 1)th event, all within half a window), then an event
 * exactly when the first one leaves, or 1 ms either side: at W + 0 and W + 1 ms the count falls
 * back to n and rises to n + 1 again, a crossing within a window of the finding, which fires.
 */
function recross(rand: Rand, who: { principal: string; ip: string }, n: number, windowMs: number): Planned[] {
  const times = [0, ...Array.from({ length: n }, () => between(rand, 2, Math.floor(windowMs / 2)))].sort((a, b) => a - b);
  times.push(windowMs + pick(rand, [-1, 0, 0, 1, 1]));
  if (rand() < 0.5) times.push(times[1]! + windowMs + pick(rand, [-1, 0, 1])); // and once more
  return times.map((t) => read(t, who, { secrets: ['app/db'] }));
}

/** Failures before a success, the first on a window edge; then follow-ups around the finding. */
function sequenceEpisode(rand: Rand, who: { principal: string; ip: string }, n: number, windowMs: number): Planned[] {
  const out: Planned[] = [];
  const s = windowMs + between(rand, 0, windowMs);
  const failure = (at: number): Planned =>
    read(at, who, rand() < 0.1 ? { outcome: 'failure', error_code: 'ThrottlingException' } : { outcome: 'failure' });
  const k = n - 1 + between(rand, 0, 2);
  const first = s - windowMs + pick(rand, EDGES);
  out.push(failure(first));
  for (let i = 1; i < k; i++) out.push(failure(rand() < 0.1 ? s : between(rand, first, s)));
  out.sort((a, b) => a.at - b.at);
  out.push(read(s, who));
  if (rand() < 0.4) out.push(read(s + between(rand, 0, windowMs / 3), who)); // a second success: consumed
  if (rand() < 0.3) out.push(failure(s)); // a failure at the finding's ms, after it: consumed
  if (rand() < 0.3) out.push(failure(between(rand, s - windowMs + 1, s - 1))); // late, before the finding
  if (rand() < 0.5) {
    // A fresh round within a window of the first success.
    let t = s;
    const fresh = n - 1 + between(rand, 0, 2);
    for (let i = 0; i < fresh; i++) out.push(failure((t += between(rand, 0, windowMs / (2 * n)))));
    out.push(read(t + between(rand, 0, 2 * SECOND), who));
  }
  if (rand() < 0.3) out.push(read(s - between(rand, 1, windowMs / 2), who)); // a late success
  return out;
}

/** A second (and third) cloud W -/+ 30 s, 1 s, 1 ms from the first, after or (late) before it. */
function cloudEpisode(rand: Rand, who: { principal: string; ip: string }, n: number, windowMs: number): Planned[] {
  const clouds = [...PROVIDERS].sort(() => rand() - 0.5);
  const as = (p: Provider, at: number): Planned => ({ at, spec: { provider: p, principal: { id: `${who.principal}-${p}` }, source: { ip: who.ip } } });
  const out: Planned[] = [];
  const t0 = windowMs + between(rand, 0, windowMs);
  out.push(as(clouds[0]!, t0));
  const side = rand() < 0.3 ? -1 : 1; // -1: the second cloud arrives late, timed before the first
  out.push(as(clouds[1]!, t0 + side * (windowMs + pick(rand, CLOUD_EDGES))));
  if (rand() < 0.4) out.push(as(clouds[0]!, t0 + between(rand, 0, windowMs))); // the first cloud again
  if (n > 2 || rand() < 0.3) out.push(as(clouds[2]!, t0 + pick(rand, [windowMs, 0, -windowMs / 2]) + pick(rand, CLOUD_EDGES)));
  if (rand() < 0.3) out.push({ at: t0 + between(rand, 0, windowMs), spec: { provider: clouds[2]!, source: { ip: null } } }); // no IP: skipped
  return out;
}

/** What the built-in single-event rules fire on. */
const MATCH_EVENTS: Readonly<Record<string, (ip: string) => Spec>> = {
  attack_tool_user_agent: (ip) => ({ source: { ip, user_agent: 'pacu' } }),
  batch_secret_catch_all_filter: () => ({ operation: 'BatchGetSecretValue', action: 'batch_read', secrets: [], batch_filters: [{ key: 'tag-key', values: ['!none'] }] }),
};

/** Events making `rule` find at exactly `at` for the group `who` (none for rules not placed exactly). */
function findingAt(rule: LoadedRule, rand: Rand, who: { principal: string; ip: string }, at: number): Planned[] {
  const engine = rule.spec.engine;
  const w = rule.windowMs ?? 0;
  const before = (): number => at - between(rand, 1, Math.floor(w / 2));
  switch (engine.type) {
    case 'match': {
      const extra = MATCH_EVENTS[rule.spec.id];
      return extra !== undefined ? [read(at, who, extra(who.ip))] : [];
    }
    case 'time_of_day':
      return [read(at, who)];
    case 'threshold': {
      if (engine.count_above === undefined) return [];
      const times = Array.from({ length: engine.count_above }, before).sort((a, b) => a - b);
      return [...times.map((t) => read(t, who)), read(at, who)];
    }
    case 'sequence': {
      const times = Array.from({ length: engine.preceded_by.at_least }, before).sort((a, b) => a - b);
      return [...times.map((t) => read(t, who, { outcome: 'failure' })), read(at, who)];
    }
    case 'multi_provider': {
      const clouds = PROVIDERS.slice(0, engine.at_least);
      const times = clouds.slice(1).map(before).sort((a, b) => a - b);
      return [...times.map((t, i) => ({ at: t, spec: { provider: clouds[i + 1]!, source: { ip: who.ip } } })), { at, spec: { provider: clouds[0]!, source: { ip: who.ip } } }];
    }
    case 'new_terms':
      return [];
  }
}

/**
 * For every throttled rule, findings duration - 1 ms, duration and duration + 1 ms apart
 * (shuffled), in time order; and late findings of the single-event rules exactly at and 1 ms
 * within the duration before their last finding, to arrive last.
 */
function throttleChains(rand: Rand, names: Names, rules: readonly LoadedRule[]): { inOrder: Planned[]; late: Planned[] } {
  const inOrder: Planned[] = [];
  const late: Planned[] = [];
  for (const rule of rules) {
    if (rule.throttleMs === undefined) continue;
    const who = names.next();
    // Each step is placed from the last finding that went out (1 ms short of the duration is throttled).
    let alerted = between(rand, HOUR, 2 * HOUR);
    let at = alerted;
    inOrder.push(...findingAt(rule, rand, who, at));
    for (const delta of [-1, 0, 1].sort(() => rand() - 0.5)) {
      at = alerted + rule.throttleMs + delta;
      inOrder.push(...findingAt(rule, rand, who, at));
      if (delta >= 0) alerted = at;
    }
    if (MATCH_EVENTS[rule.spec.id] !== undefined) late.push(...findingAt(rule, rand, who, at - rule.throttleMs + pick(rand, [0, 1])));
  }
  return { inOrder, late };
}

/**
 * New first-seen terms either side of the default learning period, 24 h after the first events
 * (at 0, and in half of the seeds one arriving next but up to 10 minutes earlier, which moves the
 * start of the rules' state back).
 */
function learningEvents(rand: Rand, names: Names): { first: Planned[]; inOrder: Planned[] } {
  const ssm = (at: number, who: { principal: string; ip: string }): Planned => ({
    at,
    spec: { service: 'ssm', operation: 'GetParameter', principal: { id: `${who.principal}-ssm` }, source: { ip: who.ip }, secrets: ['arn:aws:ssm:us-east-1:111111111111:parameter/app/key'] },
  });
  const first: Planned[] = [];
  const opener = names.next();
  first.push(read(0, opener), ssm(0, opener));
  const start = rand() < 0.5 ? -between(rand, 1, 10 * MINUTE) : 0;
  if (start < 0) {
    const early = names.next();
    first.push(read(start, early), ssm(start, early));
  }
  const inOrder: Planned[] = [];
  for (const off of [-HOUR, -SECOND, -1, 0, 1, SECOND, HOUR, -12 * HOUR, 2 * HOUR]) {
    const who = names.next();
    const at = start + DAY + off;
    inOrder.push(read(at, who));
    inOrder.push(read(at + between(rand, 0, 5 * MINUTE), who)); // seen again: not new
    inOrder.push(ssm(at, who)); // the same offsets for the SSM rule: a new accessor of decrypted parameters
  }
  for (let t = HOUR; t < DAY + 3 * HOUR; t += between(rand, HOUR, 3 * HOUR)) inOrder.push(read(t, opener)); // the clock moves on
  return { first, inOrder };
}

/**
 * Throttle chains and the learning period in one stream of about two days from a Saturday (the
 * after-hours rule fires all weekend): the opening events first, then everything in time order,
 * then the late single-event findings.
 */
function daysStream(rand: Rand, rules: readonly LoadedRule[]): Planned[] {
  const names = new Names();
  const learning = learningEvents(rand, names);
  const chains = throttleChains(rand, names, rules);
  const inOrder = [...learning.inOrder, ...chains.inOrder].sort((a, b) => a.at - b.at);
  return [...learning.first, ...inOrder, ...chains.late];
}

const PACER = { principal: 'arn:aws:iam::111111111111:role/pacer', ip: '203.0.113.250' };

/**
 * Moves some events later in arrival order: each arrives right after a pacer event timed exactly
 * its time + lateness, with lateness the allowed one, 1 ms more or less, or a random smaller one.
 * Returns the events in arrival order.
 */
function withLateEvents(rand: Rand, planned: Planned[], latenessMs: number, fraction: number): Planned[] {
  const arrivals: { key: number; order: number; event: Planned }[] = [];
  let order = 0;
  planned.sort((a, b) => a.at - b.at);
  for (const event of planned) {
    if (order > 0 && rand() < fraction) {
      const late = pick(rand, [latenessMs, latenessMs + 1, latenessMs - 1, between(rand, 1, latenessMs), between(rand, 1, 5 * SECOND)]);
      const key = event.at + late;
      arrivals.push({ key, order: order++, event: { at: key, spec: { principal: { id: PACER.principal, type: 'role' }, source: { ip: PACER.ip } } } });
      arrivals.push({ key, order: order++, event });
    } else arrivals.push({ key: event.at, order: order++, event });
  }
  arrivals.sort((a, b) => a.key - b.key || a.order - b.order);
  return arrivals.map((a) => a.event);
}

/**
 * Two events at the end, stamped 1 ms beyond and exactly at the future limit (an hour after the
 * clock, which reads the newest time before each event): the first is dropped, the second scored.
 */
function withFutureEvents(arrivals: Planned[]): Planned[] {
  const newest = Math.max(...arrivals.map((p) => p.at));
  const future = (at: number): Planned => ({ at, spec: { principal: { id: PACER.principal, type: 'role' }, source: { ip: PACER.ip } } });
  return [...arrivals, future(newest + HOUR + 1), future(newest + HOUR + 1 + HOUR)];
}

function build(kind: string, seed: number, startMs: number, allowedLatenessMs: number | undefined, planned: Planned[]): DiffStream {
  const name = `${kind} seed ${seed}`;
  const specs = planned.map((p) => ({ at: p.at, spec: p.spec }));
  const events = expandTestEvents('differential', {
    name,
    start: new Date(startMs).toISOString(),
    events: specs.map(({ at, spec }) => ({ ...spec, at: at < 0 ? `-${-at}ms` : `+${at}ms` })),
    expect: [],
  });
  return { name, seed, startMs, allowedLatenessMs, specs, events };
}

/** Episodes of one kind for every target, each starting within `spreadMs` of the stream's start. */
function episodes(
  rand: Rand,
  names: Names,
  targets: readonly { n: number; windowMs: number }[],
  perTarget: number,
  make: (rand: Rand, who: { principal: string; ip: string }, n: number, windowMs: number) => Planned[],
): Planned[] {
  const out: Planned[] = [];
  for (const { n, windowMs } of targets) {
    for (let i = 0; i < perTarget; i++) {
      const offset = between(rand, 0, 2 * windowMs);
      out.push(...make(rand, names.next(), n, windowMs).map((p) => ({ at: p.at + offset, spec: p.spec })));
    }
  }
  return out;
}

/**
 * The streams of one seed: the windowed one (count hovers and re-crossings, distinct hovers,
 * sequences and clouds, interleaved, with late and future events) and the days one (throttles
 * and the learning period).
 * Every stream is meant to be run with all the differential rules (detectors are costly to
 * build and to move through time: few long streams beat many short ones).
 */
export function differentialStreams(seed: number, rules: readonly LoadedRule[], targets: WindowedTargets): DiffStream[] {
  const rand = prng(seed);
  // Start anywhere in a week, to the ms: window edges fall anywhere in the sketches' sub-windows.
  const start = (base: number): number => base + between(rand, 0, DAY) + between(rand, 0, 999);
  const allowed = rand() < 0.5 ? undefined : pick(rand, [0, 90 * SECOND, 5 * MINUTE]);
  const names = new Names();
  const windowed = [
    ...episodes(rand, names, targets.count, 2, countHover),
    ...episodes(rand, names, targets.count, 3, recross),
    ...episodes(rand, names, targets.distinct, 2, distinctHover),
    ...episodes(rand, names, targets.sequence, 4, sequenceEpisode),
    ...episodes(rand, names, targets.multi, 5, cloudEpisode),
  ];
  return [
    build('windowed', seed, start(MONDAY + between(rand, 0, 4) * DAY), allowed, withFutureEvents(withLateEvents(rand, windowed, allowed ?? DEFAULT_LATENESS_MS, 0.06))),
    build('days', seed, SATURDAY + between(rand, 0, 30 * MINUTE) + between(rand, 0, 999), undefined, daysStream(rand, rules)),
  ];
}
