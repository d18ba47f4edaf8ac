import { invalidOption, SketchError } from './errors.js';

/** Sequence numbers wrap at 2^32; a chain link farther back than the ring is dead. */
const SEQ_MOD = 2 ** 32;
/**
 * The first sequence number. Heads start at 0, which is then 2^31 entries back: outside any ring
 * (capacity <= 2^26), so an untouched head reads as "no entry" without a separate marker.
 */
const FIRST_SEQ = 2 ** 31;
const MAX_CAPACITY = 2 ** 26;

/** Entry flags (2 bits, kept in the low bits of the key hash). */
export const LOG_FIRST_OF_EVENT = 1;
export const LOG_HAS_VALUE = 2;

/** One entry handed to `forEachOf`: its time, its auxiliary value and its flags. */
export type RecentLogVisitor = (timeMs: number, aux: number, flags: number) => void;

/**
 * The last `capacity` events of a rule, exactly: a ring of (key hash, auxiliary value, time)
 * entries with a hash chain per key bucket, so that the entries of one key are found without a
 * scan. It answers "which events of this key do you still hold, and when?" exactly for every
 * event that arrived after the oldest entry still in the ring, whatever their number of keys.
 *
 * Why: a windowed sketch knows a key's events only by sub-window. The engines keep exact
 * per-group state for the few groups near a threshold (candidates), and when a group becomes a
 * candidate its earlier events come from here, to the millisecond, instead of from the sketch's
 * sub-windows. Events that already left the ring are the only ones known by sub-window alone;
 * `evictedMaxTimeMs` says which times that can concern: every entry with a time after it is still
 * here.
 *
 * Memory: 20 bytes an entry plus 4 bytes a head (capacity / 4 heads: a chain walk passes about 4
 * entries of other keys), fixed at construction.
 * Keys are 30-bit hashes (the two low bits carry the entry's flags: first entry of its event,
 * has a value), so two keys of the same head bucket are confused with probability 2^-30 per pair: the same order as count-min
 * collisions, and documented with them.
 */
export class RecentLog {
  readonly capacity: number;
  private readonly mask: number;
  private readonly headMask: number;
  private readonly keys: Int32Array;
  private readonly aux: Int32Array;
  private readonly times: Float64Array;
  /** Sequence number (mod 2^32) of the previous entry in the same head chain. */
  private readonly prev: Uint32Array;
  /** Sequence number (mod 2^32) of the newest entry of each head bucket. */
  private readonly heads: Uint32Array;
  /** Sequence number of the next entry, mod 2^32. */
  private next = FIRST_SEQ;
  /** Entries written since construction (not wrapped): tells whether the ring is full. */
  private written = 0;
  /** Largest time of an entry the ring overwrote (-Infinity while none was). */
  evictedMaxTimeMs = -Infinity;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
      throw invalidOption('capacity', `a power of two in [2, ${MAX_CAPACITY}]`, capacity);
    }
    this.capacity = capacity;
    this.mask = capacity - 1;
    const headCount = Math.max(1, capacity >>> 2);
    this.headMask = headCount - 1;
    this.keys = new Int32Array(capacity);
    this.aux = new Int32Array(capacity);
    this.times = new Float64Array(capacity);
    this.prev = new Uint32Array(capacity);
    this.heads = new Uint32Array(headCount);
  }

  get byteLength(): number {
    return this.keys.byteLength + this.aux.byteLength + this.times.byteLength + this.prev.byteLength + this.heads.byteLength;
  }

  /** Entries held now (at most `capacity`). */
  get size(): number {
    return Math.min(this.written, this.capacity);
  }

  /** Appends an entry for the key hashed to `keyHash` (any int32). */
  append(keyHash: number, aux: number, timeMs: number, flags: number): void {
    const seq = this.next;
    const i = seq & this.mask;
    if (this.written >= this.capacity) {
      const old = this.times[i]!;
      if (old > this.evictedMaxTimeMs) this.evictedMaxTimeMs = old;
    }
    const h = keyHash & this.headMask;
    this.keys[i] = (keyHash & ~3) | (flags & 3);
    this.aux[i] = aux;
    this.times[i] = timeMs;
    this.prev[i] = this.heads[h]!;
    this.heads[h] = seq;
    this.next = (seq + 1) % SEQ_MOD;
    this.written++;
  }

  /** Calls `visit` for every entry of the key still held, newest first. */
  forEachOf(keyHash: number, visit: RecentLogVisitor): void {
    const want = keyHash & ~3;
    const held = this.size;
    let seq = this.heads[keyHash & this.headMask]!;
    // Links only go backwards in arrival order, so the distance grows along the chain.
    while (((this.next - seq + SEQ_MOD) % SEQ_MOD) - 1 < held) {
      const i = seq & this.mask;
      const k = this.keys[i]!;
      if ((k & ~3) === want) visit(this.times[i]!, this.aux[i]!, k & 3);
      const p = this.prev[i]!;
      // A link that does not go strictly back is a stale head from before a wrap: stop.
      if (((seq - p + SEQ_MOD) % SEQ_MOD) === 0) break;
      seq = p;
    }
  }

  /** The ring's state as bytes (for snapshots): header, then the arrays. */
  serialize(): Uint8Array {
    const header = new Uint8Array(32);
    const view = new DataView(header.buffer);
    [this.capacity, this.next, this.written, this.evictedMaxTimeMs].forEach((v, i) => view.setFloat64(i * 8, v, true));
    const parts = [header, this.keys, this.aux, this.times, this.prev, this.heads];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
    return out;
  }

  /** Reads `serialize` output; SKETCH_CORRUPT when the bytes do not have the expected shape. */
  static deserialize(bytes: Uint8Array): RecentLog {
    const corrupt = (why: string) => new SketchError('SKETCH_CORRUPT', `recent event log: ${why}`);
    if (bytes.byteLength < 32) throw corrupt('too short');
    // Read through a view: `bytes` may be a Buffer over a shared pool, whose `.buffer` is not ours.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [capacity, next, written, evicted] = [0, 8, 16, 24].map((at) => view.getFloat64(at, true)) as [number, number, number, number];
    let log: RecentLog;
    try {
      log = new RecentLog(capacity);
    } catch {
      throw corrupt(`capacity ${capacity}`);
    }
    if (bytes.byteLength !== 32 + log.byteLength) throw corrupt(`length ${bytes.byteLength}, expected ${32 + log.byteLength}`);
    if (!Number.isInteger(next) || next < 0 || next >= SEQ_MOD || !Number.isInteger(written) || written < 0) throw corrupt('bad counters');
    if (!(evicted === -Infinity || Number.isFinite(evicted))) throw corrupt('bad evicted time');
    let at = 32;
    for (const arr of [log.keys, log.aux, log.times, log.prev, log.heads]) {
      new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).set(bytes.subarray(at, at + arr.byteLength));
      at += arr.byteLength;
    }
    log.next = next;
    log.written = written;
    log.evictedMaxTimeMs = evicted;
    return log;
  }
}
