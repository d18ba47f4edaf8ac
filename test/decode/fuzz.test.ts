import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, fixtureInputFiles } from '../support/fixture-files.js';
import { prng } from '../../bench/measure.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { decodeAll } from '../support/collect.js';

/**
 * Mutation fuzzing over every fixture: byte flips, truncation, and structural mutation of parsed
 * records (values replaced by other types, keys dropped, strings made huge). The decoder must never
 * throw, every record must be accounted for, and every event it still produces must be well-formed.
 * Deterministic (seeded), so a failure reproduces.
 */
const fixtures = FIXTURES_DIR;

const WEIRD: unknown[] = [null, 0, -1, 1e308, '', ' ', 'x'.repeat(10_000), [], {}, [null], { __proto__: { a: 1 } }, true, '2024-13-45T99:99:99Z', '::1', 'NaN'];

function mutate(value: unknown, rand: () => number, depth = 0): unknown {
  if (depth > 12) return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => mutate(v, rand, depth + 1));
    if (rand() < 0.1) out.pop();
    if (rand() < 0.05) out.push(WEIRD[Math.floor(rand() * WEIRD.length)]);
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rand();
      if (r < 0.08) continue; // drop the key
      out[k] = r < 0.2 ? WEIRD[Math.floor(rand() * WEIRD.length)] : mutate(v, rand, depth + 1);
    }
    return out;
  }
  return value;
}

function checkEvent(e: SecretAccessEvent): void {
  expect(['aws', 'gcp', 'azure']).toContain(e.provider);
  expect(['read', 'batch_read', 'describe', 'list']).toContain(e.action);
  expect(['success', 'failure']).toContain(e.outcome);
  expect(Number.isFinite(e.time_ms)).toBe(true);
  expect(new Date(e.time_ms).toISOString()).toBe(e.time);
  expect(typeof e.principal.id).toBe('string');
  expect(e.principal.id.length).toBeGreaterThan(0);
  expect(Array.isArray(e.secrets)).toBe(true);
  for (const s of e.secrets) expect(typeof s).toBe('string');
  if (e.source.ip !== undefined) expect(e.source.ip).toMatch(/^[0-9a-f:.]+$/i);
}

describe('fuzz', () => {
  const inputs = fixtureInputFiles(fixtures);

  it('never throws on byte flips and truncation', () => {
    const rand = prng(7);
    for (const path of inputs) {
      const bytes = readFileSync(path);
      for (let round = 0; round < 20; round++) {
        const copy = Buffer.from(bytes);
        const flips = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < flips; i++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
        const cut = copy.subarray(0, Math.floor(rand() * copy.length));
        for (const input of [copy, cut, gzipSync(cut).subarray(0, Math.max(0, Math.floor(rand() * 40)))]) {
          const got = decodeAll(input, path);
          got.events.forEach(checkEvent);
        }
      }
    }
  });

  it('never throws on structural mutations and keeps every event well-formed', () => {
    const rand = prng(11);
    let events = 0;
    for (const path of inputs) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        continue; // gzip, JSON lines and fragments are covered by the byte test
      }
      for (let round = 0; round < 30; round++) {
        const got = decodeAll(mutate(parsed, rand), path);
        got.events.forEach(checkEvent);
        events += got.events.length;
        // Every record is accounted for exactly once, whatever happened to it.
        const indexes = new Set([...got.events.map((e) => e.raw.index), ...got.rejections.map((r) => r.index)]);
        expect(indexes.size).toBeLessThanOrEqual(got.records);
      }
    }
    expect(events).toBeGreaterThan(100); // the mutations still leave many records usable
  });
});
