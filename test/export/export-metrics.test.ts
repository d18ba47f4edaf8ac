import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerExportMetrics } from '../../src/export/export-metrics.js';
import { Outbox } from '../../src/export/outbox/outbox.js';
import { AlertSender } from '../../src/export/sender/alert-sender.js';
import { ConsoleAlertSink } from '../../src/export/sinks/console-sink.js';
import { makeAlerts } from '../support/alerts.js';

describe('registerExportMetrics', () => {
  it('reports outbox depth, full rejections and sent alerts at scrape time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sw-metrics-'));
    let now = 10_000;
    const outbox = await Outbox.open({ dir, max_alerts: 3, now: () => now });
    const sender = new AlertSender(outbox, new ConsoleAlertSink(new PassThrough()));
    const registry = new Registry();
    registerExportMetrics(registry, { outbox, sender });
    try {
      await outbox.append(makeAlerts(0, 3));
      await outbox.append(makeAlerts(3, 2)).catch(() => undefined);
      now += 4_000;
      const text = await registry.metrics();
      expect(text).toContain('secretwatch_outbox_alerts 3\n');
      expect(text).toContain('secretwatch_outbox_rejected_full_total 2\n');
      expect(text).toContain('secretwatch_outbox_oldest_age_seconds 4\n');
      expect(text).toContain('# TYPE secretwatch_outbox_rejected_full_total counter');
      sender.start();
      for (let i = 0; i < 200 && outbox.depth().alerts > 0; i++) await new Promise((r) => setTimeout(r, 5));
      const after = await registry.metrics();
      expect(after).toContain('secretwatch_alerts_sent_total 3\n');
      expect(after).toContain('secretwatch_outbox_alerts 0\n');
      // Counters mirror, they do not add up across scrapes.
      expect(await registry.metrics()).toContain('secretwatch_alerts_sent_total 3\n');
    } finally {
      await sender.stop();
      await outbox.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
