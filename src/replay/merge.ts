import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { EventSource } from './event-source.js';
import { MinHeap } from './min-heap.js';

/**
 * Merges inputs into one stream in event-time order. Inputs are opened lazily in order of their
 * first event time, so only inputs whose time ranges overlap are held at once (a directory of a
 * month of CloudTrail files holds a few files, not the month).
 */
export async function* mergeByTime(sources: readonly EventSource[]): AsyncGenerator<SecretAccessEvent> {
  const pending = [...sources].sort((a, b) => a.firstTimeMs - b.firstTimeMs);
  let next = 0;
  const heap = new MinHeap<{ head: SecretAccessEvent; it: AsyncGenerator<SecretAccessEvent> }>();

  const openNext = async (): Promise<void> => {
    const source = pending[next++];
    if (source === undefined) return;
    const it = source.open();
    const first = await it.next();
    if (first.done !== true) heap.push(first.value.time_ms, { head: first.value, it });
  };

  for (;;) {
    // Open every input that may hold an event earlier than the current head.
    while (next < pending.length) {
      const top = heap.peekKey();
      const candidate = pending[next];
      if (candidate === undefined || (top !== undefined && candidate.firstTimeMs > top)) break;
      await openNext();
    }
    const entry = heap.pop();
    if (entry === undefined) {
      if (next >= pending.length) return;
      continue;
    }
    yield entry.head;
    const following = await entry.it.next();
    if (following.done !== true) heap.push(following.value.time_ms, { head: following.value, it: entry.it });
  }
}
