/**
 * Which blocks of a table each slot (sub-window) has written since the slot was last cleared.
 *
 * Why: the windowed tables keep a cell's sub-windows side by side (count-min-table.ts,
 * bloom-table.ts), so emptying one sub-window is a strided pass over the whole table. Done at
 * every sub-window boundary, that pass made a sparse replay (a month of history, a few events per
 * sub-window) cost milliseconds per event. With this map a clear visits only the blocks its slot
 * wrote: nothing when the sub-window saw no event, the whole table when it saw many, never more.
 *
 * One bit per block and slot (a block is a few dozen cells), set on every write that can leave a
 * cell non-zero. A slot whose contents did not come from writes (loaded from bytes, merged) is
 * `unknown` until its next clear, which then sweeps the whole table.
 */
export class DirtyBlocks {
  readonly blocks: number;
  readonly slots: number;
  private readonly bits: Uint32Array;
  private readonly wordsPerSlot: number;
  private readonly unknown: Uint8Array;

  constructor(blocks: number, slots: number) {
    this.blocks = blocks;
    this.slots = slots;
    this.wordsPerSlot = Math.ceil(blocks / 32);
    this.bits = new Uint32Array(this.wordsPerSlot * slots);
    this.unknown = new Uint8Array(slots);
  }

  get byteLength(): number {
    return this.bits.byteLength + this.unknown.byteLength;
  }

  mark(slot: number, block: number): void {
    const w = slot * this.wordsPerSlot + (block >>> 5);
    this.bits[w] = this.bits[w]! | (1 << (block & 31));
  }

  /** Every slot's contents are unknown (after a load or a merge): their next clears sweep everything. */
  markAllUnknown(): void {
    this.unknown.fill(1);
  }

  /**
   * Calls `visit` for each block `slot` wrote and forgets them; returns false instead when the
   * slot's contents are unknown (the caller then sweeps the whole table).
   */
  drain(slot: number, visit: (block: number) => void): boolean {
    const { bits, wordsPerSlot } = this;
    const start = slot * wordsPerSlot;
    const known = this.unknown[slot] === 0;
    this.unknown[slot] = 0;
    for (let w = 0; w < wordsPerSlot; w++) {
      let word = bits[start + w]!;
      if (word === 0) continue;
      bits[start + w] = 0;
      if (!known) continue;
      while (word !== 0) {
        const low = word & -word;
        visit(w * 32 + (31 - Math.clz32(low)));
        word ^= low;
      }
    }
    return known;
  }

  /** Every slot empty and known (after the whole table was cleared). */
  reset(): void {
    this.bits.fill(0);
    this.unknown.fill(0);
  }
}
