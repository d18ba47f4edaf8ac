/**
 * At most one alert per key per duration, in event time. Bounded: past `capacity` keys the oldest
 * entry is evicted (counted in `evictions`), which can only let an extra alert through, never
 * suppress one wrongly.
 */
export class Throttle {
  private readonly last = new Map<string, number>();
  evictions = 0;
  suppressed = 0;

  constructor(
    private readonly durationMs: number,
    private readonly capacity = 100_000,
  ) {}

  /** True when an alert for `key` at `timeMs` may go out (and records it); false when throttled. */
  admit(key: string, timeMs: number): boolean {
    const previous = this.last.get(key);
    // Events arrive out of order: a late event within the duration of a sent alert is throttled too.
    if (previous !== undefined && Math.abs(timeMs - previous) < this.durationMs) {
      this.suppressed++;
      return false;
    }
    this.last.delete(key); // re-insert to keep Map order = age order for eviction
    this.last.set(key, previous === undefined ? timeMs : Math.max(previous, timeMs));
    if (this.last.size > this.capacity) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
      this.evictions++;
    }
    return true;
  }

  get size(): number {
    return this.last.size;
  }

  entries(): [string, number][] {
    return [...this.last.entries()];
  }

  load(entries: readonly [string, number][]): void {
    for (const [k, v] of entries) this.last.set(k, v);
  }
}
