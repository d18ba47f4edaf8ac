import type { WindowClock } from '../sketch/window-clock.js';

/** A per-key estimate over the window ending at a time (`covering` mode). Built once per engine. */
export interface WindowQuery {
  readonly clock: WindowClock;
  query(key: string, endMs: number): number;
}

/**
 * The largest estimate for `key` over every window that contains `timeMs`.
 *
 * For an event in the newest sub-window that is one query: the window ending at the event.
 * A late event (in an older sub-window) also belongs to windows ending after it, up to the newest
 * event time: it can be the event that lifts one of those over the threshold ("late events within
 * the allowed lateness count"). Those windows end at the last millisecond of each later
 * sub-window, at most S - 1 sub-windows on, so a late event costs at most S extra queries.
 * Every window read contains the event's sub-window: adding the event raises each of them by
 * exactly its count, which lets the threshold engine derive the estimate before the event from
 * the one after it.
 */
export function maxOverWindowsContaining(q: WindowQuery, key: string, timeMs: number): number {
  let best = q.query(key, timeMs);
  const clock = q.clock;
  const bucketMs = clock.bucketMs;
  const bucket = Math.floor(timeMs / bucketMs);
  const last = Math.min(clock.newestBucket, bucket + clock.subWindows - 1);
  for (let k = bucket + 1; k <= last; k++) {
    const e = q.query(key, (k + 1) * bucketMs - 1);
    if (e > best) best = e;
  }
  return best;
}
