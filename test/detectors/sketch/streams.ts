/** Deterministic test streams: no Math.random, so statistical tests give the same answer every run. */

import { prng } from '../../../bench/measure.js';

export { prng };

/** `length` draws of ranks in [0, keys) following a Zipf law of exponent `s`. */
export function zipfStream(keys: number, length: number, s: number, seed: number): Uint32Array {
  const cdf = new Float64Array(keys);
  let sum = 0;
  for (let r = 0; r < keys; r++) {
    sum += 1 / (r + 1) ** s;
    cdf[r] = sum;
  }
  const rand = prng(seed);
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    const u = rand() * sum;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/** A key that looks like the detectors' (principal, source IP) keys. */
export function keyName(i: number): string {
  return `arn:aws:iam::${100000000000 + (i % 97)}:role/app-${i}|10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}
