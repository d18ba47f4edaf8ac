import { describe, expect, it } from 'vitest';
import { fmix32, murmur3_32, murmur3_32x2 } from '../../../detectors/sketch/hash.js';
import { KeyHasher } from '../../../detectors/sketch/key-hasher.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

// Published MurmurHash3 x86_32 vectors: Ian Boyd's set (https://stackoverflow.com/a/31929528),
// as tested by the mmh3 Python package and many ports.
const VECTORS: [string, Uint8Array, number, number][] = [
  ['empty, seed 0', bytes(), 0, 0x00000000],
  ['empty, seed 1', bytes(), 1, 0x514e28b7],
  ['empty, seed ffffffff', bytes(), 0xffffffff, 0x81f16f39],
  ['21 43 65 87, seed 0', bytes(0x21, 0x43, 0x65, 0x87), 0, 0xf55b516b],
  ['21 43 65 87, seed 5082edee', bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee, 0x2362f9de],
  ['21 43 65', bytes(0x21, 0x43, 0x65), 0, 0x7e4a8634],
  ['21 43', bytes(0x21, 0x43), 0, 0xa0f7b07a],
  ['21', bytes(0x21), 0, 0x72661cf4],
  ['ff ff ff ff', bytes(0xff, 0xff, 0xff, 0xff), 0, 0x76293b50],
  ['00 00 00 00', bytes(0, 0, 0, 0), 0, 0x2362f9de],
  ['00 00 00', bytes(0, 0, 0), 0, 0x85f0b427],
  ['00 00', bytes(0, 0), 0, 0x30f4c306],
  ['00', bytes(0), 0, 0x514e28b7],
  ['aaaa', utf8('aaaa'), 0x9747b28c, 0x5a97808a],
  ['aaa', utf8('aaa'), 0x9747b28c, 0x283e0130],
  ['aa', utf8('aa'), 0x9747b28c, 0x5d211726],
  ['a', utf8('a'), 0x9747b28c, 0x7fa09ea6],
  ['abcd', utf8('abcd'), 0x9747b28c, 0xf0478627],
  ['abc', utf8('abc'), 0x9747b28c, 0xc84a62dd],
  ['ab', utf8('ab'), 0x9747b28c, 0x74875592],
  ['Hello, world!', utf8('Hello, world!'), 0x9747b28c, 0x24884cba],
  ['pi x8 (UTF-8)', utf8('ππππππππ'), 0x9747b28c, 0xd58063c1],
  ['a x256', utf8('a'.repeat(256)), 0x9747b28c, 0x37405bdc],
  ['abc, seed 0', utf8('abc'), 0, 0xb3dd93fa],
  ['abcdbcde...', utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), 0, 0xee925b90],
  ['quick brown fox', utf8('The quick brown fox jumps over the lazy dog'), 0x9747b28c, 0x2fa826cd],
  ['foo, seed 0', utf8('foo'), 0, 4138058784],
];

describe('murmur3_32', () => {
  it.each(VECTORS)('matches the published vector: %s', (_name, input, seed, expected) => {
    expect(murmur3_32(input, seed)).toBe(expected);
  });

  it("matches SMHasher's verification value 0xB0F57EE3", () => {
    // SMHasher VerificationTest: hash {0}, {0,1}, ..., {0..254} with seed 256 - i, concatenate the
    // 256 little-endian results, hash that with seed 0.
    const key = new Uint8Array(256);
    const results = new Uint8Array(256 * 4);
    const view = new DataView(results.buffer);
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      view.setUint32(i * 4, murmur3_32(key, 256 - i, 0, i), true);
    }
    expect(murmur3_32(results, 0)).toBe(0xb0f57ee3);
  });

  it('hashes a sub-range like the same bytes on their own', () => {
    const framed = utf8('xxHello, world!yy');
    expect(murmur3_32(framed, 0x9747b28c, 2, 13)).toBe(0x24884cba);
  });

  it('murmur3_32x2 equals two separate hashes for every tail length', () => {
    const out = new Uint32Array(2);
    for (let len = 0; len <= 19; len++) {
      const input = utf8('The quick brown fox'.slice(0, len));
      murmur3_32x2(input, 0, input.length, 0x9747b28c, 7, out);
      expect([out[0], out[1]]).toEqual([murmur3_32(input, 0x9747b28c), murmur3_32(input, 7)]);
    }
  });

  it('fmix32 is the MurmurHash3 finalizer (0 stays 0; 1 maps to a known value)', () => {
    expect(fmix32(0)).toBe(0);
    // fmix32(1): 1 ^ 0 = 1; *0x85ebca6b = 0x85ebca6b; ^>>>13; *0xc2b2ae35; ^>>>16.
    let h = Math.imul(1, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    expect(fmix32(1)).toBe(h >>> 0);
    expect(fmix32(1)).not.toBe(1);
  });
});

describe('KeyHasher', () => {
  it('hashes the UTF-8 bytes: non-Latin-1 keys that share low bytes stay distinct', () => {
    const h = new KeyHasher(1);
    h.hash('\u0141'); // Ł, low byte 0x41 like 'A'
    const a = [h.h1, h.h2];
    h.hash('A');
    expect([h.h1, h.h2]).not.toEqual(a);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = new KeyHasher(42);
    const b = new KeyHasher(42);
    const c = new KeyHasher(43);
    a.hash('arn:aws:iam::123456789012:role/app');
    b.hash('arn:aws:iam::123456789012:role/app');
    c.hash('arn:aws:iam::123456789012:role/app');
    expect([a.h1, a.h2]).toEqual([b.h1, b.h2]);
    expect(a.h1).not.toBe(c.h1);
    expect(a.h2 & 1).toBe(1);
  });

  it('grows its scratch for long keys and hashes them whole', () => {
    const h = new KeyHasher(0);
    const long = 'x'.repeat(5000);
    h.hash(long);
    const first = h.h1;
    h.hash(long.slice(0, 4999) + 'y');
    expect(h.h1).not.toBe(first);
  });

  it('hashSeeded separates pairs that a plain concatenation would merge', () => {
    const g = new KeyHasher(0);
    const p = new KeyHasher(1);
    g.hash('ab');
    p.hashSeeded('c', g.h1, g.h2);
    const abc = p.h1;
    g.hash('a');
    p.hashSeeded('bc', g.h1, g.h2);
    expect(p.h1).not.toBe(abc);
  });
});
