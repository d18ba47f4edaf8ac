/** How many of the least recently used groups an eviction looks at. */
const EVICTION_SAMPLE = 8;

/**
 * The groups an engine keeps exact state for (its candidates: groups near a threshold, or with
 * failures on record), at most `capacity` of them. Past capacity a group is forgotten and counted
 * in `evictions`: it loses its exact record and, if it becomes a candidate again, starts over (see
 * ThresholdEngine). The one forgotten is the lightest (by `weight`: the events it holds) of the 8
 * least recently used: a busy group near its threshold outlives a crowd of quiet ones that only
 * brushed the gate. Map order is recency order: `get` moves a group to the end.
 */
export class CandidateGroups<T> {
  private readonly groups = new Map<string, T>();
  evictions = 0;

  constructor(
    readonly capacity: number,
    private readonly weight: (record: T) => number = () => 0,
  ) {}

  /** The group's record, marked as just used; undefined when it has none. */
  get(key: string): T | undefined {
    const value = this.groups.get(key);
    if (value !== undefined) {
      this.groups.delete(key);
      this.groups.set(key, value);
    }
    return value;
  }

  /** Adds a record, evicting the least recently used group when full. */
  add(key: string, value: T): void {
    if (this.groups.size >= this.capacity && !this.groups.has(key)) {
      let victim: string | undefined;
      let lightest = Infinity;
      let seen = 0;
      for (const [k, record] of this.groups) {
        const w = this.weight(record);
        if (w < lightest) {
          lightest = w;
          victim = k;
        }
        if (++seen === EVICTION_SAMPLE) break;
      }
      if (victim !== undefined) this.groups.delete(victim);
      this.evictions++;
    }
    this.groups.set(key, value);
  }

  delete(key: string): void {
    this.groups.delete(key);
  }

  get size(): number {
    return this.groups.size;
  }

  /** Oldest-used first (the order `add` restores). */
  entries(): IterableIterator<[string, T]> {
    return this.groups.entries();
  }

  /** The groups as JSON bytes, oldest-used first: `[key, entry(record)]` each (-Infinity as null). */
  serialize(entry: (record: T) => unknown): Uint8Array {
    const list: [string, unknown][] = [];
    for (const [key, record] of this.groups) list.push([key, entry(record)]);
    return new TextEncoder().encode(JSON.stringify(list, (_k, v: unknown) => (v === -Infinity ? null : v)));
  }

  /**
   * Reads `serialize` output into a table of `capacity` (the most recently used kept when the
   * capacity shrank); `read` turns an entry back into a record and throws a plain Error when it
   * cannot, as does a list of the wrong shape.
   */
  static deserialize<T>(bytes: Uint8Array, capacity: number, weight: (record: T) => number, read: (entry: unknown) => T): CandidateGroups<T> {
    const list: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (!Array.isArray(list)) throw new Error('exact groups: not a list');
    const out = new CandidateGroups<T>(capacity, weight);
    for (const e of list.slice(-capacity)) {
      if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string') throw new Error('exact groups: bad entry');
      out.add(e[0], read(e[1]));
    }
    return out;
  }
}
