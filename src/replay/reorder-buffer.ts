import { MinHeap } from './min-heap.js';

/**
 * Restores event-time order within a horizon: holds events until the newest time seen is more
 * than `horizonMs` past them, then releases them oldest first. Bounded by `capacity`: when full,
 * the oldest event is released early (counted in `forcedReleases`), so memory never grows with
 * the input. Events still out of order after it are the detectors' allowed lateness to absorb.
 */
export class ReorderBuffer<T> {
  private readonly heap = new MinHeap<T>();
  private maxSeen = Number.NEGATIVE_INFINITY;
  forcedReleases = 0;

  constructor(
    private readonly horizonMs: number,
    private readonly capacity: number,
  ) {}

  /** Adds an event; returns the events now ready, in time order. */
  push(timeMs: number, value: T, out: T[]): void {
    this.heap.push(timeMs, value);
    if (timeMs > this.maxSeen) this.maxSeen = timeMs;
    const releaseBefore = this.maxSeen - this.horizonMs;
    for (;;) {
      const key = this.heap.peekKey();
      if (key === undefined) break;
      if (key <= releaseBefore) {
        out.push(this.heap.pop() as T);
      } else if (this.heap.size > this.capacity) {
        this.forcedReleases++;
        out.push(this.heap.pop() as T);
      } else break;
    }
  }

  /** Releases everything left, in time order. */
  drain(out: T[]): void {
    while (this.heap.size > 0) out.push(this.heap.pop() as T);
  }

  get size(): number {
    return this.heap.size;
  }
}
