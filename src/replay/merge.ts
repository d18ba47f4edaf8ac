import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { EventSource } from './event-source.js';

/** Most events per merged batch: enough to amortize the asynchronous hop, small enough to stream. */
export const MERGE_BATCH_EVENTS = 1024;

/** An opened input: its current batch, the index of its head event, and its place among ties. */
interface Cursor {
  it: AsyncGenerator<SecretAccessEvent[]>;
  batch: SecretAccessEvent[];
  index: number;
  /** Head event time (cached: compared on every step). */
  key: number;
  /**
   * When the head became the head, counted across inputs. Among equal times the head that has
   * waited longest goes first, which keeps each input's own order and matches the event-at-a-time
   * merge this replaced (a heap of heads, ties by insertion).
   */
  seq: number;
}

/**
 * Merges inputs into one stream in event-time order, as batches. Inputs are opened lazily in order
 * of their first event time, so only inputs whose time ranges overlap are held at once (a
 * directory of a month of CloudTrail files holds a few files, not the month).
 *
 * One input is passed through batch by batch. Several are merged with a small heap of cursors
 * into their current batches; the merge waits only when a cursor's batch runs out.
 */
export async function* mergeByTime(sources: readonly EventSource[]): AsyncGenerator<SecretAccessEvent[]> {
  if (sources.length === 1) {
    for await (const batch of (sources[0] as EventSource).open()) if (batch.length > 0) yield batch;
    return;
  }
  const pending = [...sources].sort((a, b) => a.firstTimeMs - b.firstTimeMs);
  let next = 0;
  let seq = 0;
  const heap = new CursorHeap();

  /** Moves a cursor to its next event, reading its next batch if needed; false at its end. */
  const advance = async (cursor: Cursor): Promise<boolean> => {
    while (++cursor.index >= cursor.batch.length) {
      const more = await cursor.it.next();
      if (more.done === true) return false;
      cursor.batch = more.value;
      cursor.index = -1;
    }
    cursor.key = (cursor.batch[cursor.index] as SecretAccessEvent).time_ms;
    cursor.seq = seq++;
    return true;
  };

  const openNext = async (): Promise<void> => {
    const source = pending[next++];
    if (source === undefined) return;
    const cursor: Cursor = { it: source.open(), batch: [], index: -1, key: 0, seq: 0 };
    if (await advance(cursor)) heap.push(cursor);
  };

  let out: SecretAccessEvent[] = [];
  for (;;) {
    // Open every input that may hold an event earlier than the current head.
    while (next < pending.length) {
      const top = heap.top();
      const candidate = pending[next];
      if (candidate === undefined || (top !== undefined && candidate.firstTimeMs > top.key)) break;
      await openNext();
    }
    const cursor = heap.top();
    if (cursor === undefined) {
      if (next >= pending.length) break;
      continue;
    }
    out.push(cursor.batch[cursor.index] as SecretAccessEvent);
    if (out.length >= MERGE_BATCH_EVENTS) {
      yield out;
      out = [];
    }
    // The batch in hand needs no await: only a cursor at the end of its batch waits for more.
    if (cursor.index + 1 < cursor.batch.length) {
      cursor.index++;
      cursor.key = (cursor.batch[cursor.index] as SecretAccessEvent).time_ms;
      cursor.seq = seq++;
      heap.siftTop();
    } else if (await advance(cursor)) heap.siftTop();
    else heap.popTop();
  }
  if (out.length > 0) yield out;
}

/** A binary min-heap of cursors by (key, seq), updated in place when the top cursor moves on. */
class CursorHeap {
  private readonly items: Cursor[] = [];

  top(): Cursor | undefined {
    return this.items[0];
  }

  push(cursor: Cursor): void {
    const items = this.items;
    let i = items.length;
    items.push(cursor);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as Cursor;
      if (!before(cursor, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = cursor;
  }

  /** Removes the top cursor (its input is exhausted). */
  popTop(): void {
    const last = this.items.pop();
    if (last !== undefined && this.items.length > 0) {
      this.items[0] = last;
      this.siftTop();
    }
  }

  /** Restores the heap after the top cursor's key grew. */
  siftTop(): void {
    const items = this.items;
    const n = items.length;
    const moving = items[0];
    if (moving === undefined) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let child = l;
      let c = items[l] as Cursor;
      const r = l + 1;
      if (r < n) {
        const rc = items[r] as Cursor;
        if (before(rc, c)) {
          child = r;
          c = rc;
        }
      }
      if (!before(c, moving)) break;
      items[i] = c;
      i = child;
    }
    items[i] = moving;
  }
}

function before(a: Cursor, b: Cursor): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}
