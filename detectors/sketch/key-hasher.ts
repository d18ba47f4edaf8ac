import { fmix32, murmur3_32x2 } from './hash.js';

/**
 * Turns a string key into two independent 32-bit hashes (`h1`, `h2`), from which the sketches
 * derive one position per row or probe.
 *
 * Why bytes: the key is UTF-8 encoded into a reusable scratch array and MurmurHash3 runs over the
 * bytes. A `charCodeAt` loop would be simpler, but loading ioredis (`class ... extends String`)
 * makes such loops ~6x slower process-wide on Node 20 (shared/notes/local-peers.md). UTF-8 keeps
 * distinct keys distinct (latin1 would fold every character above U+00FF onto one byte).
 * `TextEncoder.encodeInto` measured faster than `Buffer#utf8Write` on Node 20 and 24 (about 9-13
 * vs 7-8 million 50-character keys/s), its small result object included.
 *
 * Why two seeded hashes and not one split or derived: keys that collide in a second hash derived
 * from the first collide in every row (local-peers.md saw over-counts of 23). `h1` and `h2` are
 * MurmurHash3 under two different seeds, computed in one pass over the bytes.
 *
 * Why one shared pass: every rule's sketches hash the same few keys of an event (the principal
 * and source IP pair is read by four of the built-in rules, in up to six sketches). The bytes of
 * a key are hashed once, under two fixed seeds, into a 64-bit base (g1, g2) kept in a small
 * module-wide memo of the last keys; each sketch then mixes its own seeds into the base:
 * h1 = fmix32(g1 ^ seedA), h2 = fmix32(g2 ^ seedB). fmix32 is a bijection, so two keys share
 * (h1, h2) in a sketch only if they share the whole 64-bit base (probability 2^-64), and the
 * sketches' positions stay unrelated to each other's. The memo costs a string comparison per
 * entry; hashing a key costs a UTF-8 encoding and a pass over its bytes.
 *
 * The last key is also remembered per hasher: `add` followed by `estimate` of the same key (what
 * a detector does for every event) mixes once.
 */

const encoder = new TextEncoder();
// Shared by every hasher: hashing is synchronous, so the scratch array is never used twice at once.
// A constant binding (not a growable one) lets V8 load it once; longer keys take a slow path.
const SCRATCH_BYTES = 16_384;
const scratch = new Uint8Array(SCRATCH_BYTES);
const pairOut = new Uint32Array(2);

// The base hash of the last MEMO_SIZE keys (round robin): an event's keys, across all rules.
const MEMO_SIZE = 4;
const BASE_SEED_A = 0x9747b28c;
const BASE_SEED_B = 0x5bd1e995;
const memoKeys: (string | undefined)[] = new Array<string | undefined>(MEMO_SIZE).fill(undefined);
const memoG1 = new Int32Array(MEMO_SIZE);
const memoG2 = new Int32Array(MEMO_SIZE);
let memoNext = 0;

/** Index in the memo of `key`'s base hash, hashing it if it is not there. */
function baseHash(key: string): number {
  for (let i = 0; i < MEMO_SIZE; i++) if (memoKeys[i] === key) return i;
  hashInto(key, BASE_SEED_A, BASE_SEED_B);
  const i = memoNext;
  memoNext = (i + 1) % MEMO_SIZE;
  memoKeys[i] = key;
  memoG1[i] = pairOut[0]! | 0;
  memoG2[i] = pairOut[1]! | 0;
  return i;
}

/** Derives a sub-seed, so that structures built from one configured seed stay independent. */
export function deriveSeed(seed: number, salt: number): number {
  return fmix32((seed ^ Math.imul(salt, 0x9e3779b9)) >>> 0);
}

function hashInto(key: string, seedA: number, seedB: number): void {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit.
  if (key.length * 3 <= SCRATCH_BYTES) {
    murmur3_32x2(scratch, 0, encoder.encodeInto(key, scratch).written, seedA, seedB, pairOut);
  } else {
    const bytes = encoder.encode(key);
    murmur3_32x2(bytes, 0, bytes.length, seedA, seedB, pairOut);
  }
}

export class KeyHasher {
  /** First hash of the last key, as a signed 32-bit integer (V8 keeps it unboxed). */
  h1 = 0;
  /** Second hash of the last key, signed, forced odd so that `h1 + i*h2` never repeats one position. */
  h2 = 1;
  private readonly seedA: number;
  private readonly seedB: number;
  /** The key `h1`, `h2` belong to when they came from `hash` (undefined after `hashSeeded`). */
  private lastKey: string | undefined = undefined;
  private lastSeededKey: string | undefined = undefined;
  private lastSeedA = 0;
  private lastSeedB = 0;

  constructor(seed: number) {
    this.seedA = deriveSeed(seed, 1);
    this.seedB = deriveSeed(seed, 2);
  }

  /** Hashes `key` into `h1`, `h2`. */
  hash(key: string): void {
    if (key === this.lastKey) return;
    const i = baseHash(key);
    this.h1 = fmix32((memoG1[i]! ^ this.seedA) >>> 0) | 0;
    this.h2 = fmix32((memoG2[i]! ^ this.seedB) >>> 0) | 1;
    this.lastKey = key;
    this.lastSeededKey = undefined;
  }

  /**
   * Hashes `key` under seeds mixed with another hash: used for (group, item) pairs, where the
   * group's hashes seed the item's, so a pair is hashed without building a concatenated string.
   */
  hashSeeded(key: string, seedA: number, seedB: number): void {
    const a = (this.seedA ^ seedA) >>> 0;
    const b = (this.seedB ^ seedB) >>> 0;
    if (key === this.lastSeededKey && a === this.lastSeedA && b === this.lastSeedB) return;
    hashInto(key, a, b);
    this.h1 = pairOut[0]! | 0;
    this.h2 = pairOut[1]! | 1;
    this.lastSeededKey = key;
    this.lastSeedA = a;
    this.lastSeedB = b;
    this.lastKey = undefined;
  }
}
