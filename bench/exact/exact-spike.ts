import type { SecretAccessEvent } from '../../normalizers/schema.js';

/**
 * An exact, Map-based implementation of the `secret_access_spike` rule, used as the yardstick the
 * sketch-based Detector is scored against in bench/accuracy.bench.ts. Memory grows with the number
 * of keys and with the events in the window: that is the cost the sketches avoid.
 *
 * Semantics (those of detectors/rules/secret_access_spike.yaml):
 * - group: (principal.id, source.ip); a missing ip groups as '' (as the detector's group key does);
 * - window: the sliding event-time window (t - windowMs, t] ending at the event being scored;
 * - condition: more than `countAbove` events, or more than `distinctAbove` distinct secret ids, in
 *   the window, evaluated after adding the event, so the alert fires on the crossing event;
 * - throttle: at most one alert per principal.id per `throttleMs` (|t - last alert| < throttleMs
 *   suppresses, as detectors/throttle.ts does).
 * Events must arrive in event-time order (the benchmark generates them so).
 */
export interface ExactSpikeOptions {
  windowMs: number;
  countAbove: number;
  distinctAbove: number;
  throttleMs: number;
}

/** The numbers of detectors/rules/secret_access_spike.yaml. */
export const SECRET_ACCESS_SPIKE: ExactSpikeOptions = {
  windowMs: 3_600_000,
  countAbove: 50,
  distinctAbove: 10,
  throttleMs: 2 * 3_600_000,
};

export interface ExactSpikeAlert {
  principal: string;
  ip: string;
  timeMs: number;
  /** Events of the group in the window, the triggering one included. */
  count: number;
  distinct: number;
}

/**
 * The events of one group still in the window, oldest first. How often each secret occurs in the
 * window is kept in a Map only once the window holds more than SMALL_WINDOW events; below that
 * the distinct count is found by scanning the few events (most groups read a handful of times, and
 * a Map per group would double the memory of this reference without making it more exact).
 */
const SMALL_WINDOW = 8;

class GroupWindow {
  times: number[] = [];
  secrets: (readonly string[])[] = [];
  /** Index of the oldest event still in the window (evicted entries are compacted away lazily). */
  head = 0;
  secretCounts: Map<string, number> | undefined = undefined;

  get size(): number {
    return this.times.length - this.head;
  }

  add(timeMs: number, secrets: readonly string[]): void {
    this.times.push(timeMs);
    this.secrets.push(secrets);
    if (this.secretCounts !== undefined) for (const s of secrets) countUp(this.secretCounts, s);
    else if (this.size > SMALL_WINDOW) {
      const counts = new Map<string, number>();
      for (let i = this.head; i < this.secrets.length; i++) for (const s of this.secrets[i]!) countUp(counts, s);
      this.secretCounts = counts;
    }
  }

  /** Drops the events at or before `cutoff` (the window is (cutoff, t]). */
  evict(cutoff: number): void {
    const { times, secrets, secretCounts } = this;
    let head = this.head;
    while (head < times.length && times[head]! <= cutoff) {
      if (secretCounts !== undefined) {
        for (const s of secrets[head]!) {
          const n = secretCounts.get(s)! - 1;
          if (n === 0) secretCounts.delete(s);
          else secretCounts.set(s, n);
        }
      }
      head++;
    }
    // Compact once the evicted prefix is the larger half, so arrays stay proportional to the window.
    if (head > 32 && head * 2 > times.length) {
      times.splice(0, head);
      secrets.splice(0, head);
      head = 0;
    }
    this.head = head;
  }

  distinct(): number {
    if (this.secretCounts !== undefined) return this.secretCounts.size;
    let n = 0;
    const lists = this.secrets;
    for (let i = this.head; i < lists.length; i++) {
      const list = lists[i]!;
      for (let k = 0; k < list.length; k++) if (!this.seenBefore(list[k]!, i, k)) n++;
    }
    return n;
  }

  /** True when `secret` occurs in the window before position k of event i. */
  private seenBefore(secret: string, i: number, k: number): boolean {
    const lists = this.secrets;
    for (let j = this.head; j <= i; j++) {
      const list = lists[j]!;
      const end = j === i ? k : list.length;
      for (let m = 0; m < end; m++) if (list[m] === secret) return true;
    }
    return false;
  }
}

function countUp(counts: Map<string, number>, secret: string): void {
  counts.set(secret, (counts.get(secret) ?? 0) + 1);
}

export class ExactSpike {
  /** principal.id -> source ip -> window. Nested, not a joined key: no string built per event. */
  private readonly groups = new Map<string, Map<string, GroupWindow>>();
  private groupsHeld = 0;
  private readonly lastAlert = new Map<string, number>();
  /** Alerts suppressed by the throttle. */
  throttled = 0;

  constructor(private readonly options: ExactSpikeOptions = SECRET_ACCESS_SPIKE) {}

  /** Scores one event (already accepted by the rule's match); returns the alert it triggers, if any. */
  observe(event: SecretAccessEvent): ExactSpikeAlert | undefined {
    const principal = event.principal.id;
    const ip = event.source.ip ?? '';
    const t = event.time_ms;
    let byIp = this.groups.get(principal);
    if (byIp === undefined) {
      byIp = new Map();
      this.groups.set(principal, byIp);
    }
    let group = byIp.get(ip);
    if (group === undefined) {
      group = new GroupWindow();
      byIp.set(ip, group);
      this.groupsHeld++;
    }
    group.evict(t - this.options.windowMs);
    group.add(t, event.secrets);

    const count = group.size;
    const distinct = group.distinct();
    if (count <= this.options.countAbove && distinct <= this.options.distinctAbove) return undefined;
    const previous = this.lastAlert.get(principal);
    if (previous !== undefined && Math.abs(t - previous) < this.options.throttleMs) {
      this.throttled++;
      return undefined;
    }
    this.lastAlert.set(principal, previous === undefined ? t : Math.max(previous, t));
    return { principal, ip, timeMs: t, count, distinct };
  }

  /** Number of (principal, ip) groups held. */
  get groupCount(): number {
    return this.groupsHeld;
  }
}
