import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/export/otlp/export-config.js';
import { Outbox } from '../../src/export/outbox/outbox.js';
import { AlertSender } from '../../src/export/sender/alert-sender.js';
import { OtlpAlertSink, type OtlpAlertSinkOptions } from '../../src/export/sinks/otlp-sink.js';
import { makeAlerts } from '../support/alerts.js';
import { OtlpTestReceiver } from '../support/otlp-receiver.js';

/** The OTEL_EXPORTER_OTLP_* variables reach a real receiver with the specification's precedence. */
let receiver: OtlpTestReceiver;
let dir: string;

beforeAll(async () => {
  receiver = await OtlpTestReceiver.start();
});
afterAll(async () => {
  await receiver.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sw-env-'));
  receiver.logs.length = 0;
  receiver.requests.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function deliver(options: OtlpAlertSinkOptions, env: Env): Promise<OtlpAlertSink> {
  const outbox = await Outbox.open({ dir });
  const sink = OtlpAlertSink.create(options, env);
  const sender = new AlertSender(outbox, sink);
  sender.start();
  await outbox.append(makeAlerts(0, 2));
  try {
    await receiver.waitFor(() => receiver.logs.length === 2, 10_000, 'delivery');
  } finally {
    await sender.stop(500);
    await outbox.close();
  }
  return sink;
}

describe('OTLP export configured by environment variables', () => {
  it('logs-specific protocol and headers win over the general ones; the general endpoint gets /v1/logs', async () => {
    const sink = await deliver(
      {},
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpBase,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-scope=general,x-general-only=yes',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-scope=logs',
        OTEL_EXPORTER_OTLP_TIMEOUT: '800',
      },
    );
    expect(sink.config).toMatchObject({ protocol: 'http/json', url: `${receiver.httpBase}/v1/logs`, timeout_millis: 800 });
    expect(receiver.requests[0]).toMatchObject({ transport: 'http/json', path: '/v1/logs', headers: { 'x-scope': 'logs', 'x-general-only': 'yes' } });
  });

  it('uses the general endpoint as is for grpc', async () => {
    await deliver({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.grpcUrl });
    expect(receiver.requests[0]?.transport).toBe('grpc');
  });

  it('uses the logs endpoint over the general one', async () => {
    await deliver({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: receiver.httpUrl });
    expect(receiver.requests[0]?.transport).toBe('http/protobuf');
  });

  it('lets explicit options win over every variable', async () => {
    await deliver(
      { protocol: 'http/protobuf', endpoint: receiver.httpBase, headers: { 'x-scope': 'option' } },
      {
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://127.0.0.1:1/v1/logs',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-scope=logs',
      },
    );
    expect(receiver.requests[0]).toMatchObject({ transport: 'http/protobuf', path: '/v1/logs', headers: { 'x-scope': 'option' } });
  });
});
