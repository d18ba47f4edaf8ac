/**
 * A binary min-heap ordered by a numeric key; ties keep insertion order (stable). Keys, insertion
 * numbers and values live in parallel arrays so that a push allocates nothing per item.
 */
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly values: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.keys.length;
  }

  push(key: number, value: T): void {
    const { keys, seqs, values } = this;
    const seq = this.nextSeq++;
    let i = keys.length;
    keys.push(key);
    seqs.push(seq);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent] as number;
      const ps = seqs[parent] as number;
      if (!(key < pk || (key === pk && seq < ps))) break;
      keys[i] = pk;
      seqs[i] = ps;
      values[i] = values[parent] as T;
      i = parent;
    }
    keys[i] = key;
    seqs[i] = seq;
    values[i] = value;
  }

  peekKey(): number | undefined {
    return this.keys[0];
  }

  pop(): T | undefined {
    const { keys, seqs, values } = this;
    if (keys.length === 0) return undefined;
    const top = values[0] as T;
    const key = keys.pop() as number;
    const seq = seqs.pop() as number;
    const value = values.pop() as T;
    const n = keys.length;
    if (n === 0) return top;
    // Sift the former last item down from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      let ck = keys[l] as number;
      let cs = seqs[l] as number;
      const r = l + 1;
      if (r < n) {
        const rk = keys[r] as number;
        const rs = seqs[r] as number;
        if (rk < ck || (rk === ck && rs < cs)) {
          c = r;
          ck = rk;
          cs = rs;
        }
      }
      if (!(ck < key || (ck === key && cs < seq))) break;
      keys[i] = ck;
      seqs[i] = cs;
      values[i] = values[c] as T;
      i = c;
    }
    keys[i] = key;
    seqs[i] = seq;
    values[i] = value;
    return top;
  }
}
