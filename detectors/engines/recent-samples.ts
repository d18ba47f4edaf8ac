/**
 * A bounded LRU of groups -> the last few secret ids they touched, for an alert's
 * `sample_secrets`. Only groups the engine reports as near their threshold are tracked (so the
 * hot path of the millions of quiet groups allocates nothing), at most `capacity` groups of at
 * most `perGroup` ids each: past capacity the least recently touched group is dropped and counted
 * in `evictions`. A dropped group only loses its samples, never an alert.
 */
export class RecentSamples {
  private readonly groups = new Map<string, string[]>();
  evictions = 0;

  constructor(
    readonly capacity = 10_000,
    readonly perGroup = 10,
  ) {}

  /** Records `items` for `group` (most recent last, each id once). */
  record(group: string, items: readonly string[]): void {
    let list = this.groups.get(group);
    if (list === undefined) {
      list = [];
      if (this.groups.size >= this.capacity) {
        const oldest = this.groups.keys().next().value;
        if (oldest !== undefined) this.groups.delete(oldest);
        this.evictions++;
      }
    } else {
      // Re-insert: Map order is recency order.
      this.groups.delete(group);
    }
    this.groups.set(group, list);
    for (const item of items) {
      const at = list.indexOf(item);
      if (at >= 0) list.splice(at, 1);
      list.push(item);
      if (list.length > this.perGroup) list.shift();
    }
  }

  /** A copy of the samples of `group`, oldest first (empty when not tracked). */
  get(group: string): string[] {
    return this.groups.get(group)?.slice() ?? [];
  }

  get size(): number {
    return this.groups.size;
  }
}
