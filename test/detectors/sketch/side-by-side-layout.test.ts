import { describe, expect, it } from 'vitest';
import { BloomTable } from '../../../detectors/sketch/bloom-table.js';
import { CountMinTable } from '../../../detectors/sketch/count-min-table.js';
import { KeyHasher } from '../../../detectors/sketch/key-hasher.js';
import { WindowedBloom } from '../../../detectors/sketch/windowed-bloom.js';
import { WindowedCountMin } from '../../../detectors/sketch/windowed-count-min.js';
import { prng } from './streams.js';

/**
 * The tables keep the sub-windows (slots) of one position side by side. These tests hold the
 * layout to a plain reference: a Set of (slot, position) bits and a Map of (slot, cell) counts.
 */

const SLOT_COUNTS = [1, 2, 5, 6, 7, 12, 16, 31, 32, 33, 40];

describe('BloomTable with side-by-side slots', () => {
  it.each(SLOT_COUNTS)('%i slots: test, presentSlots, set, clear and recount agree with a reference', (slots) => {
    const rand = prng(slots);
    const table = new BloomTable(1000 + slots, 3, slots);
    const reference = new Set<string>();
    const locateRandom = () => table.locate((rand() * 2 ** 32) | 0, ((rand() * 2 ** 32) | 0) | 1);
    const referenceHas = (slot: number) => [...table.positions].every((p) => reference.has(`${slot}:${p}`));
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 300; i++) {
        locateRandom();
        const slot = Math.floor(rand() * slots);
        const before = referenceHas(slot);
        expect(table.set(slot)).toBe(before);
        for (const p of table.positions) reference.add(`${slot}:${p}`);
      }
      for (let i = 0; i < 300; i++) {
        locateRandom();
        let expectedMask = 0;
        for (let s = 0; s < slots; s++) {
          expect(table.test(s)).toBe(referenceHas(s));
          if (s < 32 && referenceHas(s)) expectedMask |= 1 << s;
        }
        if (slots <= 32) expect(table.presentSlots() >>> 0).toBe(expectedMask >>> 0);
      }
      // Clear one slot: only its bits go, every other slot keeps all of its own.
      const cleared = Math.floor(rand() * slots);
      table.clear(cleared);
      for (const k of [...reference]) if (k.startsWith(`${cleared}:`)) reference.delete(k);
      const counts = new Array<number>(slots).fill(0);
      for (const k of reference) counts[Number(k.split(':')[0])]!++;
      expect([...table.bitsSet]).toEqual(counts);
      table.recount();
      expect([...table.bitsSet]).toEqual(counts);
      expect(table.paddingIsClear()).toBe(true);
    }
    table.clearAll();
    expect(table.words.every((w) => w === 0)).toBe(true);
    expect([...table.bitsSet].every((n) => n === 0)).toBe(true);
  });

  it('refuses a shape whose bit index would pass 2^32', () => {
    expect(() => new BloomTable(2 ** 31, 3, 2)).toThrow(/exceeds 2\^32 bits/);
  });
});

describe('CountMinTable with side-by-side slots', () => {
  it.each([1, 3, 6, 16, 26])('%i slots: add, min and clear agree with a reference', (slots) => {
    const rand = prng(100 + slots);
    for (const bits of [8, 16, 32] as const) {
      const table = new CountMinTable(64, 3, slots, bits);
      const reference = new Map<string, number>();
      const cells = () => [...table.rows].map((r) => Math.floor(r / slots));
      for (let i = 0; i < 3000; i++) {
        const h1 = (rand() * 2 ** 32) | 0;
        const h2 = ((rand() * 2 ** 32) | 0) | 1;
        table.locate(h1, h2);
        const slot = Math.floor(rand() * slots);
        const n = 1 + Math.floor(rand() * 3);
        table.add(slot, n, false);
        for (const c of cells()) reference.set(`${slot}:${c}`, Math.min(table.max, (reference.get(`${slot}:${c}`) ?? 0) + n));
        expect(table.min(slot)).toBe(Math.min(...cells().map((c) => reference.get(`${slot}:${c}`)!)));
        if (i % 500 === 499) {
          const cleared = Math.floor(rand() * slots);
          table.clear(cleared);
          for (const k of [...reference.keys()]) if (k.startsWith(`${cleared}:`)) reference.delete(k);
          expect(table.totals[cleared]).toBe(0);
          // Every counter of the table equals the reference (0 where it holds nothing).
          for (let j = 0; j < table.counters.length; j++) {
            expect(table.counters[j]).toBe(reference.get(`${j % slots}:${Math.floor(j / slots)}`) ?? 0);
          }
        }
      }
    }
  });
});

describe('clearing a slot visits only what it wrote, unless its contents came from elsewhere', () => {
  it('BloomTable: a clear after a load (wordsReplaced) or a merge empties the whole slot', () => {
    const rand = prng(9);
    const source = new BloomTable(5000, 4, 6);
    for (let i = 0; i < 400; i++) {
      source.locate((rand() * 2 ** 32) | 0, ((rand() * 2 ** 32) | 0) | 1);
      source.set(i % 6);
    }
    const loaded = new BloomTable(5000, 4, 6);
    loaded.words.set(source.words);
    loaded.recount();
    loaded.wordsReplaced();
    loaded.clear(2);
    expect(loaded.bitsSet[2]).toBe(0);
    loaded.recount();
    expect(loaded.bitsSet[2]).toBe(0);
    expect([0, 1, 3, 4, 5].map((s) => loaded.bitsSet[s])).toEqual([0, 1, 3, 4, 5].map((s) => source.bitsSet[s]));
    const merged = new BloomTable(5000, 4, 6);
    merged.mergeFrom(source);
    merged.clear(4);
    merged.recount();
    expect(merged.bitsSet[4]).toBe(0);
    expect(merged.bitsSet[3]).toBe(source.bitsSet[3]);
  });

  it('CountMinTable: the same after countersReplaced or a merge; a slot that wrote nothing clears nothing else', () => {
    const rand = prng(10);
    const source = new CountMinTable(4096, 4, 6, 8);
    for (let i = 0; i < 500; i++) {
      source.locate((rand() * 2 ** 32) | 0, ((rand() * 2 ** 32) | 0) | 1);
      source.add(i % 5, 1, true); // slot 5 stays empty
    }
    const slotSum = (t: CountMinTable, slot: number) => {
      let sum = 0;
      for (let j = slot; j < t.counters.length; j += t.slots) sum += t.counters[j]!;
      return sum;
    };
    const loaded = new CountMinTable(4096, 4, 6, 8);
    loaded.counters.set(source.counters);
    loaded.countersReplaced();
    loaded.clear(1);
    expect(slotSum(loaded, 1)).toBe(0);
    expect(slotSum(loaded, 0)).toBe(slotSum(source, 0));
    const merged = new CountMinTable(4096, 4, 6, 8);
    merged.mergeFrom(source);
    merged.clear(3);
    expect(slotSum(merged, 3)).toBe(0);
    // Written by adds: clearing visits the slot's blocks only and still empties it.
    source.clear(0);
    source.clear(5);
    expect([0, 1, 2, 3, 4, 5].map((s) => slotSum(source, s) === 0)).toEqual([true, false, false, false, false, true]);
  });
});

describe('WindowClock jumps', () => {
  it('a jump past the whole ring empties every sub-window at once, and counting resumes', () => {
    const w = new WindowedCountMin({ windowMs: 3_600_000, subWindows: 4, allowedLatenessMs: 900_000, width: 256, depth: 4 });
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 100; i++) w.add(`k${i % 7}`, t0 + i * 30_000);
    expect(w.estimate('k1', w.latestTimeMs)).toBeGreaterThan(0);
    const later = t0 + 30 * 86_400_000;
    w.add('k1', later);
    expect(w.estimate('k1', later)).toBe(1);
    expect(w.estimate('k2', later)).toBe(0);
    expect(w.windowTotal(later)).toBe(1);
    const b = new WindowedBloom({ windowMs: 3_600_000, subWindows: 4, allowedLatenessMs: 900_000, expectedItemsPerSubWindow: 100 });
    expect(b.add('x', t0)).toBe('new');
    expect(b.add('x', t0 + 60_000)).toBe('seen');
    expect(b.add('x', later)).toBe('new');
    expect(b.has('y', later)).toBe(false);
  });
});

describe('KeyHasher shared base hashes', () => {
  it('gives each key the same hashes whatever was hashed before, and other hashes under other seeds', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `arn:aws:iam::123456789012:role/app-${i}\u000110.0.0.${i}`);
    const alone = new Map<string, [number, number]>();
    for (const k of keys) {
      const h = new KeyHasher(7);
      h.hash(k);
      alone.set(k, [h.h1, h.h2]);
    }
    // Interleaved with other hashers and keys (the module-wide memo in use and evicted).
    const a = new KeyHasher(7);
    const b = new KeyHasher(8);
    const rand = prng(3);
    for (let i = 0; i < 2000; i++) {
      const k = keys[Math.floor(rand() * keys.length)]!;
      b.hash(keys[Math.floor(rand() * keys.length)]!);
      a.hash(k);
      expect([a.h1, a.h2]).toEqual(alone.get(k));
      b.hash(k);
      expect([b.h1, b.h2]).not.toEqual(alone.get(k));
      // A key with the same content but another string object hashes the same.
      a.hash([...k].join(''));
      expect([a.h1, a.h2]).toEqual(alone.get(k));
    }
  });
});
