import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/measure.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { EventSource } from '../../src/replay/event-source.js';
import { MERGE_BATCH_EVENTS, mergeByTime } from '../../src/replay/merge.js';
import { MinHeap } from '../../src/replay/min-heap.js';

/** Only what the merge reads of an event: its time, and a name to check the order by. */
interface TestEvent {
  time_ms: number;
  id: string;
}

interface FakeSource {
  source: EventSource;
  /** How many times the merge pulled a batch from it. */
  pulls: () => number;
}

function fakeSource(firstTimeMs: number, batches: readonly TestEvent[][]): FakeSource {
  let pulls = 0;
  const source = {
    firstTimeMs,
    async *open(): AsyncGenerator<SecretAccessEvent[]> {
      for (const batch of batches) {
        pulls++;
        yield batch as unknown as SecretAccessEvent[];
      }
      pulls++;
    },
  };
  return { source: source as unknown as EventSource, pulls: () => pulls };
}

/**
 * The merge as it was before batches: one event per await, a heap of the inputs' heads with ties
 * by insertion. The batched merge must give exactly this order.
 */
async function referenceMerge(sources: readonly EventSource[]): Promise<string[]> {
  async function* events(source: EventSource): AsyncGenerator<TestEvent> {
    for await (const batch of source.open()) yield* batch as unknown as TestEvent[];
  }
  const out: string[] = [];
  const pending = [...sources].sort((a, b) => a.firstTimeMs - b.firstTimeMs);
  let next = 0;
  const heap = new MinHeap<{ head: TestEvent; it: AsyncGenerator<TestEvent> }>();
  const openNext = async (): Promise<void> => {
    const source = pending[next++];
    if (source === undefined) return;
    const it = events(source);
    const first = await it.next();
    if (first.done !== true) heap.push(first.value.time_ms, { head: first.value, it });
  };
  for (;;) {
    while (next < pending.length) {
      const top = heap.peekKey();
      const candidate = pending[next];
      if (candidate === undefined || (top !== undefined && candidate.firstTimeMs > top)) break;
      await openNext();
    }
    const entry = heap.pop();
    if (entry === undefined) {
      if (next >= pending.length) return out;
      continue;
    }
    out.push(entry.head.id);
    const following = await entry.it.next();
    if (following.done !== true) heap.push(following.value.time_ms, { head: following.value, it: entry.it });
  }
}

async function merged(sources: readonly EventSource[]): Promise<{ ids: string[]; batches: number[] }> {
  const ids: string[] = [];
  const batches: number[] = [];
  for await (const batch of mergeByTime(sources)) {
    batches.push(batch.length);
    for (const e of batch as unknown as TestEvent[]) ids.push(e.id);
  }
  return { ids, batches };
}


/** Cuts events into batches of random sizes, some of them empty. */
function cut(events: readonly TestEvent[], rand: () => number): TestEvent[][] {
  const batches: TestEvent[][] = [];
  let i = 0;
  while (i < events.length) {
    const n = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 300);
    batches.push(events.slice(i, i + n));
    i += n;
  }
  if (rand() < 0.3) batches.push([]);
  return batches;
}

/** Random inputs as the replay makes them: sorted whole inputs and roughly ordered streamed ones. */
function randomInputs(rand: () => number): { firstTimeMs: number; batches: TestEvent[][] }[] {
  const count = 1 + Math.floor(rand() * 6);
  return Array.from({ length: count }, (_, s) => {
    const n = Math.floor(rand() * 2000);
    const start = Math.floor(rand() * 500);
    const streamed = rand() < 0.5;
    const events: TestEvent[] = Array.from({ length: n }, (_, i) => ({
      // Coarse times make many ties, within and across inputs.
      time_ms: start + Math.floor(i / 3) + (streamed ? Math.floor(rand() * 20) - 10 : 0),
      id: `${s}:${i}`,
    }));
    if (!streamed) events.sort((a, b) => a.time_ms - b.time_ms);
    const min = events.reduce((m, e) => Math.min(m, e.time_ms), Number.POSITIVE_INFINITY);
    // Streamed inputs know their first time from a prescan of their first lines only, stdin not at all.
    const firstTimeMs = streamed && rand() < 0.3 ? Number.NEGATIVE_INFINITY : streamed ? (events[0]?.time_ms ?? Number.POSITIVE_INFINITY) : min;
    return { firstTimeMs, batches: cut(events, rand) };
  });
}

describe('mergeByTime', () => {
  it('passes the batches of a single input through, skipping empty ones, one pull per batch', async () => {
    const a = [{ time_ms: 5, id: 'a' }];
    const b = [
      { time_ms: 3, id: 'b' },
      { time_ms: 9, id: 'c' },
    ];
    const fake = fakeSource(0, [a, [], b]);
    const got: unknown[] = [];
    for await (const batch of mergeByTime([fake.source])) got.push(batch);
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(a);
    expect(got[1]).toBe(b);
    expect(fake.pulls()).toBe(4);
  });

  it('merges by time, ties to the head that waited longest, reading a batch only when one runs out', async () => {
    const x = fakeSource(1, [
      [
        { time_ms: 1, id: 'x1' },
        { time_ms: 2, id: 'x2' },
        { time_ms: 2, id: 'x3' },
      ],
      [{ time_ms: 4, id: 'x4' }],
    ]);
    const y = fakeSource(2, [
      [
        { time_ms: 2, id: 'y1' },
        { time_ms: 3, id: 'y2' },
      ],
    ]);
    const z = fakeSource(10, [[{ time_ms: 10, id: 'z1' }]]);
    const { ids, batches } = await merged([z.source, y.source, x.source]);
    // x2 became x's head before y was opened, so it goes first; y1 then waited longer than x3.
    expect(ids).toEqual(['x1', 'x2', 'y1', 'x3', 'y2', 'x4', 'z1']);
    expect(batches).toEqual([7]);
    expect([x.pulls(), y.pulls(), z.pulls()]).toEqual([3, 2, 2]);
  });

  it('gives the same order as the event-at-a-time merge on random inputs', async () => {
    const rand = prng(42);
    for (let round = 0; round < 60; round++) {
      const inputs = randomInputs(rand);
      const make = (): EventSource[] => inputs.map((i) => fakeSource(i.firstTimeMs, i.batches).source);
      const want = await referenceMerge(make());
      const { ids, batches } = await merged(make());
      expect(ids).toEqual(want);
      expect(ids).toHaveLength(inputs.reduce((n, i) => n + i.batches.flat().length, 0));
      if (inputs.length > 1) {
        expect(batches.every((n) => n > 0 && n <= MERGE_BATCH_EVENTS)).toBe(true);
        expect(batches.slice(0, -1).every((n) => n === MERGE_BATCH_EVENTS)).toBe(true);
      }
    }
  });

  it('yields nothing for no inputs or inputs without events', async () => {
    expect((await merged([])).ids).toEqual([]);
    expect((await merged([fakeSource(Number.POSITIVE_INFINITY, [[]]).source, fakeSource(Number.POSITIVE_INFINITY, []).source])).ids).toEqual([]);
  });
});
