/**
 * Groups that fired recently, the second half of "fire on the crossing".
 *
 * "Estimate before <= N < estimate after" alone can miss: count-min estimates also rise when
 * other groups' events land on the same counters, so a group can pass N between two of its own
 * events; its next event then sees "before > N" and no event of the group ever crosses. So a
 * group over N also fires when it did not fire within the last window (event time, either
 * direction, as events arrive out of order): no miss, and a burst still gives one finding.
 *
 * Bounded: past `capacity` groups the least recently fired is forgotten (counted in
 * `evictions`), which can only let one extra finding through (the detector's throttle is the
 * second line), never suppress one wrongly. Only groups above a threshold are ever looked up, so
 * the quiet majority costs nothing.
 */
export class FiredGroups {
  private readonly last = new Map<string, number>();
  evictions = 0;

  constructor(
    private readonly windowMs: number,
    /** Events older than the newest minus this are never scored, so older entries can go. */
    private readonly allowedLatenessMs: number,
    private readonly capacity = 10_000,
  ) {}

  /**
   * True (and recorded) when `group`, found over its threshold at `timeMs`, fires: on a
   * `crossing` (its estimate was not over before this event), or when it did not fire within the
   * window; false otherwise.
   */
  admit(group: string, timeMs: number, crossing: boolean): boolean {
    const previous = this.last.get(group);
    if (!crossing && previous !== undefined && Math.abs(timeMs - previous) < this.windowMs) return false;
    this.last.delete(group); // Map order = least recently fired first
    this.last.set(group, timeMs);
    // Drop entries that can no longer suppress anything, then enforce the bound.
    const useless = timeMs - this.windowMs - this.allowedLatenessMs;
    for (const [oldest, at] of this.last) {
      if (this.last.size <= this.capacity && at > useless) break;
      this.last.delete(oldest);
      if (at > useless) this.evictions++;
    }
    return true;
  }

  get size(): number {
    return this.last.size;
  }

  entries(): [string, number][] {
    return [...this.last.entries()];
  }

  /** The entries as JSON bytes, for a snapshot section. */
  serialize(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify([...this.last.entries()]));
  }

  /** Reads `serialize` output; throws (a plain Error) on anything else. */
  static deserialize(bytes: Uint8Array, windowMs: number, allowedLatenessMs: number, capacity?: number): FiredGroups {
    const entries: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (!Array.isArray(entries)) throw new Error('fired groups: not a list');
    const out = new FiredGroups(windowMs, allowedLatenessMs, capacity);
    for (const e of entries.slice(-out.capacity)) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number') throw new Error('fired groups: bad entry');
      out.last.set(e[0], e[1]);
    }
    return out;
  }
}
