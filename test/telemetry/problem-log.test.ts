import { describe, expect, it } from 'vitest';
import { ProblemLog } from '../../src/telemetry/problem-log.js';
import { captureLog } from '../support/log-capture.js';

describe('ProblemLog', () => {
  it('logs the first occurrence of each problem at once, then at most one line per interval with the count left out', () => {
    const { lines, logger } = captureLog();
    let now = 1_000;
    const log = new ProblemLog(logger, 30_000, () => now);
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
