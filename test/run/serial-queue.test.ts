import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../src/run/serial-queue.js';

describe('SerialQueue', () => {
  it('runs tasks one at a time in queue order, even when they yield, and goes on after a failure', async () => {
    const queue = new SerialQueue();
    const steps: string[] = [];
    const task = (name: string, fail = false) => async (): Promise<string> => {
      for (let i = 0; i < 3; i++) {
        steps.push(`${name}${i}`);
        await nextTurn();
      }
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([queue.run(task('a')), queue.run(task('b', true)), queue.run(task('c'))]);
    expect(steps).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'c1', 'c2']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'b failed', 'c']);
  });
});
