import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { EventForwarder } from '../../src/export/forwarder/event-forwarder.js';
import { secretwatchResource } from '../../src/export/otlp/resource.js';
import { OtlpTestReceiver } from '../support/otlp-receiver.js';

function event(n: number): SecretAccessEvent {
  return {
    time: new Date(Date.UTC(2024, 6, 31, 12, 36, 52) + n).toISOString(),
    time_ms: Date.UTC(2024, 6, 31, 12, 36, 52) + n,
    provider: 'aws',
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    action: 'read',
    outcome: 'success',
    principal: { id: 'arn:aws:iam::123456789012:role/app', type: 'role', class: 'standard', session_name: 'i-0abc' },
    source: { ip: '198.51.100.4', user_agent: 'aws-cli/2.15' },
    cloud: { account: '123456789012', region: 'us-east-1' },
    secrets: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db'],
    event_id: `evt-${n}`,
    raw: { source: 'cloudtrail.json', index: n, format: 'cloudtrail' },
  };
}

/** An exporter that holds every export until told to answer (a backend that is slow). */
class GatedExporter implements LogRecordExporter {
  readonly batches: ReadableLogRecord[][] = [];
  private waiting: ((r: ExportResult) => void)[] = [];
  export(logs: ReadableLogRecord[], cb: (r: ExportResult) => void): void {
    this.batches.push(logs);
    this.waiting.push(cb);
  }
  answer(ok: boolean): void {
    for (const cb of this.waiting.splice(0)) cb({ code: ok ? ExportResultCode.SUCCESS : ExportResultCode.FAILED });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

let receiver: OtlpTestReceiver;
beforeAll(async () => {
  receiver = await OtlpTestReceiver.start();
});
afterAll(async () => {
  await receiver.stop();
});

describe('EventForwarder', () => {
  it('sends each normalized event as a secretwatch.secret_access log record', async () => {
    const forwarder = EventForwarder.create(
      { endpoint: receiver.httpUrl, timeout_millis: 1_000, scheduled_delay_millis: 20, service_instance_id: 'fwd-1', now: () => Date.UTC(2025, 0, 1) },
      {},
    );
    for (let i = 0; i < 3; i++) expect(forwarder.forward(event(i))).toBe(true);
    await forwarder.shutdown();
    expect(receiver.logs).toHaveLength(3);
    const got = receiver.logs[2]!;
    expect(got.resource['service.instance.id']).toBe('fwd-1');
    expect(got.record.eventName).toBe('secretwatch.secret_access');
    expect(got.record.timeUnixNano).toBe(BigInt(event(2).time_ms) * 1_000_000n);
    expect(got.record.observedTimeUnixNano).toBe(BigInt(Date.UTC(2025, 0, 1)) * 1_000_000n);
    expect(got.record.severityText).toBe('INFO');
    expect(got.attributes).toEqual({
      'cloud.provider': 'aws',
      'secretwatch.service': 'secretsmanager',
      'secretwatch.operation': 'GetSecretValue',
      'secretwatch.action': 'read',
      'secretwatch.outcome': 'success',
      'user.id': 'arn:aws:iam::123456789012:role/app',
      'secretwatch.principal.type': 'role',
      'secretwatch.principal.class': 'standard',
      'client.address': '198.51.100.4',
      'cloud.account.id': '123456789012',
      'cloud.region': 'us-east-1',
      'secretwatch.event.id': 'evt-2',
    });
    // The body is the whole event as a map.
    expect(JSON.parse(JSON.stringify(got.body))).toEqual(event(2));
    expect(forwarder.stats).toEqual({ accepted: 3, exported: 3, export_failed: 0, dropped_queue_full: 0, dropped_stopped: 0 });
    expect(forwarder.forward(event(9))).toBe(false);
    expect(forwarder.stats.dropped_stopped).toBe(1);
  });

  it('drops and counts events past its bounded queue while exports are slow, and counts failed exports', async () => {
    const exporter = new GatedExporter();
    const forwarder = new EventForwarder(exporter, secretwatchResource({ service_instance_id: 'x', service_version: '0.0.0' }), {
      max_queue_size: 10,
      max_export_batch_size: 4,
      scheduled_delay_millis: 5,
    });
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (forwarder.forward(event(i))) accepted++;
    expect(accepted).toBe(10);
    expect(forwarder.stats).toMatchObject({ accepted: 10, dropped_queue_full: 90 });
    await new Promise((r) => setTimeout(r, 50));
    exporter.answer(true); // first batch of 4 delivered: 4 places free up
    expect(forwarder.queued).toBe(6);
    for (let i = 0; i < 10; i++) forwarder.forward(event(100 + i));
    expect(forwarder.stats).toMatchObject({ accepted: 14, dropped_queue_full: 96 });
    const flushed = forwarder.shutdown();
    for (let i = 0; i < 20 && forwarder.queued > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      exporter.answer(false);
    }
    await flushed;
    expect(forwarder.stats).toEqual({ accepted: 14, exported: 4, export_failed: 10, dropped_queue_full: 96, dropped_stopped: 0 });
    expect(exporter.batches.flat()).toHaveLength(14);
  });
});
