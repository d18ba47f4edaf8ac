import { MinHeap } from './min-heap.js';

/**
 * Restores event-time order within a horizon: holds events until the newest time seen is more
 * than `horizonMs` past them, then releases them oldest first (ties: first arrived first). Bounded
 * by `capacity`: when full, the oldest event is released early (counted in `forcedReleases`), so
 * memory never grows with the input. Events still out of order after it are the detectors'
 * allowed lateness to absorb.
 *
 * Most input arrives in order already (a merged set of files, one CloudTrail file), so events go
 * to a FIFO run while their times do not decrease, and only out-of-order arrivals pay for the
 * heap. The run is sorted by construction; releasing the smaller head of the two gives the same
 * order as one heap of everything. On equal times the run goes first: a held heap event always
 * has a smaller time than the run's last event (the run cannot empty before it is released), so
 * a run event with the same time arrived before it.
 */
export class ReorderBuffer<T> {
  /** Arrivals earlier than the run's last event. */
  private readonly late = new MinHeap<T>();
  /** The in-order run, from `runHead` on: times and values in parallel arrays. */
  private readonly runTimes: number[] = [];
  private readonly runValues: (T | undefined)[] = [];
  private runHead = 0;
  private maxSeen = Number.NEGATIVE_INFINITY;
  forcedReleases = 0;

  constructor(
    private readonly horizonMs: number,
    private readonly capacity: number,
  ) {}

  /** Adds an event; appends the events now ready to `out`, in time order. */
  push(timeMs: number, value: T, out: T[]): void {
    const runEnd = this.runTimes.length;
    if (runEnd === this.runHead || timeMs >= (this.runTimes[runEnd - 1] as number)) {
      this.runTimes.push(timeMs);
      this.runValues.push(value);
    } else {
      this.late.push(timeMs, value);
    }
    if (timeMs > this.maxSeen) this.maxSeen = timeMs;
    const releaseBefore = this.maxSeen - this.horizonMs;
    for (;;) {
      const fromRun = this.runHasMin();
      if (fromRun === undefined) break;
      const key = fromRun ? (this.runTimes[this.runHead] as number) : (this.late.peekKey() as number);
      if (key <= releaseBefore) {
        this.release(fromRun, out);
      } else if (this.size > this.capacity) {
        this.forcedReleases++;
        this.release(fromRun, out);
      } else break;
    }
  }

  /** Releases everything left, in time order. */
  drain(out: T[]): void {
    for (;;) {
      const fromRun = this.runHasMin();
      if (fromRun === undefined) return;
      this.release(fromRun, out);
    }
  }

  get size(): number {
    return this.runTimes.length - this.runHead + this.late.size;
  }

  /** Where the oldest held event is: true for the run, false for the heap, undefined when empty. */
  private runHasMin(): boolean | undefined {
    const heapKey = this.late.peekKey();
    if (this.runHead === this.runTimes.length) return heapKey === undefined ? undefined : false;
    if (heapKey === undefined) return true;
    return (this.runTimes[this.runHead] as number) <= heapKey;
  }

  private release(fromRun: boolean, out: T[]): void {
    if (!fromRun) {
      out.push(this.late.pop() as T);
      return;
    }
    const head = this.runHead;
    out.push(this.runValues[head] as T);
    this.runValues[head] = undefined; // do not keep released events alive
    this.runHead = head + 1;
    const length = this.runTimes.length;
    if (this.runHead === length) {
      this.runTimes.length = 0;
      this.runValues.length = 0;
      this.runHead = 0;
    } else if (this.runHead >= 4096 && this.runHead * 2 >= length) {
      // Drop the released prefix once it is half the arrays: amortized O(1) per event.
      this.runTimes.splice(0, this.runHead);
      this.runValues.splice(0, this.runHead);
      this.runHead = 0;
    }
  }
}
