import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { DecodeStats } from '../../src/decode/stats.js';
import { READ_CHUNK_BYTES, WHOLE_FILE_MAX_BYTES } from '../../src/input/read-units.js';
import { EventSource } from '../../src/replay/event-source.js';
import { getSecretValue } from '../support/records.js';

const START = Date.UTC(2026, 10, 1, 10);

function line(id: string, timeMs: number, pad = 0): string {
  const record = getSecretValue({ eventID: id, eventTime: new Date(timeMs).toISOString().replace('.000Z', 'Z') });
  if (pad > 0) record.additionalEventData = { pad: 'x'.repeat(pad) };
  return JSON.stringify(record);
}

async function batches(source: EventSource): Promise<SecretAccessEvent[][]> {
  const out: SecretAccessEvent[][] = [];
  for await (const batch of source.open()) out.push(batch);
  return out;
}

describe('EventSource', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-source-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a large input in file order, one batch per read chunk', async () => {
    // 300 records of ~230 KB: a read chunk holds about four.
    const count = 300;
    const times = Array.from({ length: count }, (_, i) => START + 1000 * ((i * 7) % count));
    const path = join(dir, 'large.jsonl');
    const pad = Math.ceil((WHOLE_FILE_MAX_BYTES + 1_000_000) / count);
    writeFileSync(path, `\n${times.map((t, i) => line(`e${i}`, t, pad)).join('\n')}\n`);
    const ref = { kind: 'file' as const, path, size: statSync(path).size };
    expect(ref.size).toBeGreaterThan(WHOLE_FILE_MAX_BYTES);

    let records = 0;
    const stats = new DecodeStats();
    const source = new EventSource(ref, stats, (n) => (records += n));
    expect(source.streamed).toBe(true);
    // The prescan reads the first lines only: here the blank line and the first five records.
    await source.prescan(() => true, 6);
    expect(source.firstTimeMs).toBe(Math.min(...times.slice(0, 5)));
    expect(records).toBe(0);

    const got = await batches(source);
    expect(got.flat().map((e) => e.event_id)).toEqual(times.map((_, i) => `e${i}`));
    expect(got.every((b) => b.length > 0 && b.length <= Math.ceil(READ_CHUNK_BYTES / pad) + 1)).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(Math.floor(count / Math.ceil(READ_CHUNK_BYTES / pad)));
    expect(records).toBe(count);
    expect(stats.events).toBe(count);
  });

  it('hands out a whole input sorted by time, in slices, from the prescan cache', async () => {
    const count = 2500;
    const times = Array.from({ length: count }, (_, i) => START + 1000 * ((i * 13) % 100)); // many ties
    const path = join(dir, 'small.jsonl');
    writeFileSync(path, times.map((t, i) => line(`e${i}`, t)).join('\n'));
    const ref = { kind: 'file' as const, path, size: statSync(path).size };
    let records = 0;
    const stats = new DecodeStats();
    const source = new EventSource(ref, stats, (n) => (records += n));
    await source.prescan(() => true);
    expect(source.firstTimeMs).toBe(START);
    const got = await batches(source);
    expect(got.map((b) => b.length)).toEqual([1024, 1024, 452]);
    // Stable: equal times keep file order.
    const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t);
    expect(got.flat().map((e) => e.event_id)).toEqual(expected.map((e) => `e${e.i}`));
    expect(records).toBe(count);
    expect(stats.events).toBe(count);
  });
});
