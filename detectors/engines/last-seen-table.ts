import { invalidOption, SketchError } from '../sketch/errors.js';

/**
 * Slots examined for one group: its home slot and the next ones (16 fingerprints: one cache line).
 * At the stress (about 700,000 live IPs in 2^20 slots) all 16 are live for 0.2% of new groups.
 */
const PROBE = 16;
/**
 * Times are kept as unsigned 32-bit milliseconds after `base` (0 = never seen). The base moves
 * forward when the newest time gets within 2^30 ms (12 days) of the top, shifting every stored
 * time; a time too old to store after a move is at least 12 days old: "never seen" for any window.
 */
const TOP = 2 ** 32 - 1;
const REBASE_MARGIN = 2 ** 30;

/**
 * The last time each group was seen with each of a few labels (cloud providers), exactly, for the
 * groups seen within `liveMs` of the newest time: an open-addressed table of `slots` entries, each
 * a 32-bit fingerprint of the group and one 32-bit time per label (16 bytes with 3 labels).
 *
 * Why not a windowed Bloom filter: its sub-windows know a sighting only to a sub-window, so a
 * window read either may count a sighting up to one sub-window too old or may miss one. Here a
 * query compares the exact last time with the window's start: the only error left is two groups
 * with the same 32-bit fingerprint among the 16 slots one probes (2^-28 per lookup).
 *
 * Bounded: a group takes a free slot of its 16, or one whose times are all older than `liveMs`
 * before the newest; when all 16 hold live groups the one seen longest ago is forgotten
 * (`evictions`: the table is too small for the traffic, raise `engine.sketch.capacity`).
 */
export class LastSeenTable {
  readonly slots: number;
  readonly labels: number;
  private readonly mask: number;
  private readonly fingerprints: Int32Array;
  private readonly times: Uint32Array;
  private base = NaN;
  evictions = 0;

  constructor(slots: number, labels: number, private readonly liveMs: number) {
    if (!Number.isInteger(slots) || slots < PROBE || slots > 2 ** 28 || (slots & (slots - 1)) !== 0) {
      throw invalidOption('capacity', `a power of two in [${PROBE}, 2^28]`, slots);
    }
    this.slots = slots;
    this.labels = labels;
    this.mask = slots - 1;
    this.fingerprints = new Int32Array(slots);
    this.times = new Uint32Array(slots * labels);
  }

  get byteLength(): number {
    return this.fingerprints.byteLength + this.times.byteLength;
  }

  /** The slot of the group hashed to (h1, h2), or -1 when it is not held. */
  find(h1: number, h2: number): number {
    const fp = h2 | 1;
    for (let i = 0; i < PROBE; i++) {
      const s = (h1 + i) & this.mask;
      if (this.fingerprints[s] === fp) return s;
    }
    return -1;
  }

  /** Last time `label` was seen in `slot` (-Infinity: never, or no slot). */
  lastSeen(slot: number, label: number): number {
    if (slot < 0) return -Infinity;
    const v = this.times[slot * this.labels + label]!;
    return v === 0 ? -Infinity : this.base + v - 1;
  }

  /**
   * Records `label` seen at `timeMs` for the group (h1, h2) found at `slot` (-1: not held yet;
   * a slot is claimed), keeping the later of the old and new times. `newestMs` is the newest time
   * of the stream, which decides what is live.
   */
  record(slot: number, h1: number, h2: number, label: number, timeMs: number, newestMs: number): void {
    if (Number.isNaN(this.base)) this.base = timeMs - REBASE_MARGIN;
    if (newestMs - this.base >= TOP - REBASE_MARGIN) this.rebase(newestMs);
    let s = slot;
    if (s < 0) {
      s = this.claim(h1, newestMs);
      this.fingerprints[s] = h2 | 1;
    }
    const i = s * this.labels + label;
    const v = Math.max(1, Math.min(TOP, Math.round(timeMs - this.base) + 1));
    if (v > this.times[i]!) this.times[i] = v;
  }

  /** A slot for a new group: free or expired if one of its 16 is, else the stalest (evicted). */
  private claim(h1: number, newestMs: number): number {
    const expiredBelow = newestMs - this.liveMs - this.base + 1;
    let stalest = -1;
    let stalestTime = Infinity;
    for (let i = 0; i < PROBE; i++) {
      const s = (h1 + i) & this.mask;
      if (this.fingerprints[s] === 0) return s;
      const last = this.newestOf(s);
      if (last < expiredBelow) return this.clear(s);
      if (last < stalestTime) {
        stalestTime = last;
        stalest = s;
      }
    }
    this.evictions++;
    return this.clear(stalest);
  }

  private newestOf(slot: number): number {
    let best = 0;
    for (let l = 0; l < this.labels; l++) best = Math.max(best, this.times[slot * this.labels + l]!);
    return best;
  }

  private clear(slot: number): number {
    this.fingerprints[slot] = 0;
    this.times.fill(0, slot * this.labels, (slot + 1) * this.labels);
    return slot;
  }

  /** Moves the base so that `newestMs` sits 2^30 ms above the middle; times that fall off become "never". */
  private rebase(newestMs: number): void {
    const shift = Math.floor(newestMs - REBASE_MARGIN * 2 - this.base);
    if (shift <= 0) return;
    for (let i = 0; i < this.times.length; i++) {
      const v = this.times[i]!;
      this.times[i] = v > shift ? v - shift : 0;
    }
    this.base += shift;
  }

  serialize(): Uint8Array {
    const out = new Uint8Array(40 + this.byteLength);
    const view = new DataView(out.buffer);
    [this.slots, this.labels, this.liveMs, this.base, this.evictions].forEach((v, i) => view.setFloat64(i * 8, v, true));
    out.set(new Uint8Array(this.fingerprints.buffer), 40);
    out.set(new Uint8Array(this.times.buffer), 40 + this.fingerprints.byteLength);
    return out;
  }

  static deserialize(bytes: Uint8Array): LastSeenTable {
    const corrupt = (why: string) => new SketchError('SKETCH_CORRUPT', `last-seen table: ${why}`);
    if (bytes.byteLength < 40) throw corrupt('too short');
    // Read through a view: `bytes` may be a Buffer over a shared pool, whose `.buffer` is not ours.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [slots, labels, liveMs, base, evictions] = [0, 8, 16, 24, 32].map((at) => view.getFloat64(at, true));
    let table: LastSeenTable;
    try {
      table = new LastSeenTable(slots!, labels!, liveMs!);
    } catch {
      throw corrupt(`shape ${slots} x ${labels}`);
    }
    if (bytes.byteLength !== 40 + table.byteLength) throw corrupt(`length ${bytes.byteLength}, expected ${40 + table.byteLength}`);
    if (!(Number.isNaN(base) || Number.isFinite(base)) || !Number.isInteger(evictions) || evictions! < 0) throw corrupt('bad header');
    new Uint8Array(table.fingerprints.buffer).set(bytes.subarray(40, 40 + table.fingerprints.byteLength));
    new Uint8Array(table.times.buffer).set(bytes.subarray(40 + table.fingerprints.byteLength));
    table.base = base!;
    table.evictions = evictions!;
    return table;
  }
}
