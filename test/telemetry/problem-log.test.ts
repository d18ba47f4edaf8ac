import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ProblemLog } from '../../src/telemetry/problem-log.js';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('ProblemLog', () => {
  it('logs the first occurrence of each problem at once, then at most one line per interval with the count left out', () => {
    const { lines, stream } = capture();
    let now = 1_000;
    const log = new ProblemLog(pino({ level: 'info' }, stream), 30_000, () => now);
    log.warn('outbox_full', { outbox_alerts: 10 }, 'full');
    for (let i = 0; i < 99; i++) log.warn('outbox_full', { outbox_alerts: 10 }, 'full');
    log.error('alert_dead_lettered', { reason: 'http_400' }, 'refused');
    now += 29_999;
    log.warn('outbox_full', {}, 'full');
    now += 1;
    log.warn('outbox_full', { outbox_alerts: 12 }, 'full');
    expect(lines.map((l) => [l.problem, l.level, l.suppressed, l.reason])).toEqual([
      ['outbox_full', 40, undefined, undefined],
      ['alert_dead_lettered', 50, undefined, 'http_400'],
      ['outbox_full', 40, 100, undefined],
    ]);
    expect(lines[2]).toMatchObject({ outbox_alerts: 12, msg: 'full' });
  });
});
