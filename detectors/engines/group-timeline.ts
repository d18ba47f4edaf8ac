/**
 * The exact events of one candidate group of a threshold rule: every event time (for counts) and
 * every (time, value) occurrence (for distinct counts), to the millisecond, plus the group's
 * earlier events that only the sketch knows (by sub-window), from before it became a candidate.
 *
 * Windows are (s - W, s]: an event exactly W old is out. The lists are sorted by time (events
 * arrive mostly in order, so an insert is an append) and bounded:
 * - entries that can no longer fall in any window the engine scores are pruned (`prune`);
 * - past `maxEvents` entries the oldest is dropped and `overflowed` set. The cap is above the
 *   threshold (see ThresholdEngine), so an in-order decision never depends on a dropped entry: a
 *   window holding the cap's worth of events is above the threshold whatever came before. Past
 *   `maxValues` value occurrences, repeated values lose their older occurrences first.
 */
export class GroupTimeline {
  /** Event times, ascending. */
  readonly times: number[] = [];
  /** Value occurrence times, ascending, with `valueHashes` in step (distinct rules only). */
  readonly valueTimes: number[] = [];
  readonly valueHashes: number[] = [];
  /**
   * Events known only by sub-window: flattened (start, end, count) triples, each `count` events
   * somewhere in [start, end). They count toward a window only when [start, end) lies wholly
   * inside it, so an event older than the window never counts.
   */
  approx: number[] = [];
  /** An entry was dropped by a cap while it could still matter. */
  overflowed = false;
  /**
   * Events dropped by the `maxEvents` cap, as one (start, end, count) tally like an `approx`
   * triple: a burst keeps counting in full while the window holds its start.
   */
  dropped: [number, number, number] = [0, 0, 0];

  constructor(
    private readonly maxEvents: number,
    private readonly maxValues: number,
  ) {}

  /** Records an event at `timeMs`. */
  addEvent(timeMs: number): void {
    insertSorted(this.times, timeMs, undefined, undefined);
    if (this.times.length > this.maxEvents) {
      // The oldest is usually later than what the tally holds, but a late event can be older.
      const oldest = this.times.shift()!;
      const d = this.dropped;
      d[0] = d[2] === 0 ? oldest : Math.min(d[0], oldest);
      d[1] = d[2] === 0 ? oldest + 1 : Math.max(d[1], oldest + 1);
      d[2]++;
      this.overflowed = true;
    }
  }

  /** Records an occurrence of the value hashed to `hash` at `timeMs`. */
  addValue(timeMs: number, hash: number): void {
    insertSorted(this.valueTimes, timeMs, this.valueHashes, hash);
    if (this.valueTimes.length > this.maxValues) this.dropOneValue();
  }

  /**
   * Makes room under the cap: the oldest occurrence of a value that occurs again later goes first
   * (windows reaching the newer occurrence still count the value); only when every value occurs
   * once does the oldest value go, and the record is marked overflowed.
   */
  private dropOneValue(): void {
    const hashes = this.valueHashes;
    for (let i = 0; i < hashes.length; i++) {
      if (hashes.indexOf(hashes[i]!, i + 1) > 0) {
        this.valueTimes.splice(i, 1);
        hashes.splice(i, 1);
        return;
      }
    }
    this.valueTimes.shift();
    hashes.shift();
    this.overflowed = true;
  }

  /** Drops everything at or before `timeMs` (no window the engine scores reaches it any more). */
  prune(timeMs: number): void {
    const t = this.times;
    let n = 0;
    while (n < t.length && t[n]! <= timeMs) n++;
    if (n > 0) t.splice(0, n);
    const v = this.valueTimes;
    let m = 0;
    while (m < v.length && v[m]! <= timeMs) m++;
    if (m > 0) {
      v.splice(0, m);
      this.valueHashes.splice(0, m);
    }
    if (this.dropped[2] > 0 && this.dropped[1] - 1 <= timeMs) this.dropped = [0, 0, 0];
    const a = this.approx;
    if (a.length > 0) {
      const kept: number[] = [];
      for (let i = 0; i < a.length; i += 3) if (a[i + 1]! - 1 > timeMs) kept.push(a[i]!, a[i + 1]!, a[i + 2]!);
      this.approx = kept;
    }
  }

  /**
   * Events the record stands for, known or only tallied (early events by sub-window, events past
   * the cap): what eviction weighs, so that a busy group restarted from sub-windows is not taken
   * for a quiet one.
   */
  get weight(): number {
    let n = this.times.length + this.dropped[2];
    for (let i = 2; i < this.approx.length; i += 3) n += this.approx[i]!;
    return n;
  }

  /** Events in (endMs - windowMs, endMs]. */
  countIn(endMs: number, windowMs: number): number {
    const t = this.times;
    const n = firstAfter(t, endMs - windowMs, 0);
    const m = firstAfter(t, endMs, n);
    let count = m - n;
    const a = this.approx;
    for (let i = 0; i < a.length; i += 3) if (a[i]! > endMs - windowMs && a[i + 1]! - 1 <= endMs) count += a[i + 2]!;
    const d = this.dropped;
    if (d[2] > 0 && d[0] > endMs - windowMs && d[1] - 1 <= endMs) count += d[2];
    return count;
  }

  /**
   * False when events that may lie in (endMs - windowMs, endMs] are not counted by `countIn`:
   * the cap's tally or a sub-window of early events straddling the window's start (they are left
   * out, so the count is then a lower bound).
   */
  countIsExactIn(endMs: number, windowMs: number): boolean {
    const start = endMs - windowMs;
    const d = this.dropped;
    if (d[2] > 0 && d[0] <= start && d[1] - 1 > start) return false;
    const a = this.approx;
    for (let i = 0; i < a.length; i += 3) if (a[i]! <= start && a[i + 1]! - 1 > start) return false;
    return true;
  }

  /** Distinct values in (endMs - windowMs, endMs]; `scratch` is cleared and reused. */
  distinctIn(endMs: number, windowMs: number, scratch: Set<number>): number {
    const v = this.valueTimes;
    scratch.clear();
    for (let i = firstAfter(v, endMs - windowMs, 0); i < v.length && v[i]! <= endMs; i++) scratch.add(this.valueHashes[i]!);
    return scratch.size;
  }

  /**
   * Ends of the windows that contain an event at `timeMs`, as the semantics define them: the
   * event's own, then every later event of the group up to `horizonMs` (the newest time scored,
   * at most W - 1 ms after the event). In order, that is the event's own alone.
   */
  windowEnds(timeMs: number, horizonMs: number, out: number[]): number[] {
    out.length = 0;
    out.push(timeMs);
    const t = this.times;
    for (let i = firstAfter(t, timeMs, 0); i < t.length && t[i]! <= horizonMs; i++) if (t[i] !== out[out.length - 1]) out.push(t[i]!);
    return out;
  }

  /** Largest count over the windows ending at `ends`. */
  maxCount(ends: readonly number[], windowMs: number): number {
    let best = 0;
    for (const s of ends) best = Math.max(best, this.countIn(s, windowMs));
    return best;
  }

  /** Largest distinct count over the windows ending at `ends`. */
  maxDistinct(ends: readonly number[], windowMs: number, scratch: Set<number>): number {
    let best = 0;
    for (const s of ends) best = Math.max(best, this.distinctIn(s, windowMs, scratch));
    return best;
  }

  /** Plain JSON-able form, for snapshots. */
  toJSON(): [number[], number[], number[], number[], boolean, number[]] {
    return [this.times, this.valueTimes, this.valueHashes, this.approx, this.overflowed, this.dropped];
  }

  /** Reads `toJSON` output; throws a plain Error naming what is wrong. */
  static fromJSON(value: unknown, maxEvents: number, maxValues: number): GroupTimeline {
    if (!Array.isArray(value) || value.length !== 6) throw new Error('group record: not a 6-element list');
    const [times, valueTimes, valueHashes, approx, overflowed, dropped] = value as unknown[];
    const numbers = (x: unknown, what: string): number[] => {
      if (!Array.isArray(x) || !x.every((n) => typeof n === 'number' && Number.isFinite(n))) throw new Error(`group record: ${what} is not a list of numbers`);
      return x as number[];
    };
    const rec = new GroupTimeline(maxEvents, maxValues);
    rec.times.push(...numbers(times, 'times'));
    rec.valueTimes.push(...numbers(valueTimes, 'value times'));
    rec.valueHashes.push(...numbers(valueHashes, 'value hashes'));
    rec.approx = numbers(approx, 'approximate events');
    if (rec.valueTimes.length !== rec.valueHashes.length || rec.approx.length % 3 !== 0 || typeof overflowed !== 'boolean') {
      throw new Error('group record: inconsistent lists');
    }
    if (!isSorted(rec.times) || !isSorted(rec.valueTimes)) throw new Error('group record: times out of order');
    rec.overflowed = overflowed;
    const d = numbers(dropped, 'dropped events');
    if (d.length !== 3) throw new Error('group record: dropped events is not a triple');
    rec.dropped = d as [number, number, number];
    return rec;
  }
}

/** Index of the first element of the ascending `list` greater than `x`, searching from `from`. */
export function firstAfter(list: readonly number[], x: number, from: number): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `x` into the ascending `list` after any equal elements (and `y` into `parallel` in step). */
export function insertSorted(list: number[], x: number, parallel: number[] | undefined, y: number | undefined): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > x) i--;
  if (i === list.length) {
    list.push(x);
    parallel?.push(y!);
  } else {
    list.splice(i, 0, x);
    parallel?.splice(i, 0, y!);
  }
}

function isSorted(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1]! > list[i]!) return false;
  return true;
}
