/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain), written by hand over bytes.
 *
 * Why this hash: it is short, has published test vectors (SMHasher's verification value and the
 * vectors most ports test against), and every step is a 32-bit `Math.imul` / shift that V8 keeps in
 * registers. Why bytes and not `charCodeAt`: see `key-hasher.ts`.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The MurmurHash3 finalizer: a bijection on 32 bits with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The 1-3 bytes after the last full block, little-endian. */
function tail(bytes: Uint8Array, i: number, rest: number): number {
  let k = bytes[i]!;
  if (rest > 1) k |= bytes[i + 1]! << 8;
  if (rest > 2) k |= bytes[i + 2]! << 16;
  return k;
}

/** MurmurHash3 x86_32 of `bytes[offset, offset + length)`, as an unsigned 32-bit integer. */
export function murmur3_32(bytes: Uint8Array, seed: number, offset = 0, length = bytes.length - offset): number {
  let h = seed | 0;
  const end = offset + length;
  const blocksEnd = offset + (length & ~3);
  let i = offset;
  for (; i < blocksEnd; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h = mixH(h, mixK(k));
  }
  const rest = end - i;
  if (rest > 0) h ^= mixK(tail(bytes, i, rest));
  return fmix32(h ^ length);
}

/**
 * Two MurmurHash3 x86_32 values of the same bytes under two seeds, in one pass over the bytes.
 * The results are exactly `murmur3_32(bytes, seedA)` and `murmur3_32(bytes, seedB)`; they land in
 * `out[0]` and `out[1]` so that the hot path allocates nothing.
 */
export function murmur3_32x2(
  bytes: Uint8Array,
  offset: number,
  length: number,
  seedA: number,
  seedB: number,
  out: Uint32Array,
): void {
  let a = seedA | 0;
  let b = seedB | 0;
  const end = offset + length;
  const blocksEnd = offset + (length & ~3);
  let i = offset;
  for (; i < blocksEnd; i += 4) {
    const k = mixK(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    a = mixH(a, k);
    b = mixH(b, k);
  }
  const rest = end - i;
  if (rest > 0) {
    const k = mixK(tail(bytes, i, rest));
    a ^= k;
    b ^= k;
  }
  out[0] = fmix32(a ^ length);
  out[1] = fmix32(b ^ length);
}
