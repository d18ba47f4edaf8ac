import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/cli/version.js';
import { SecretwatchError } from '../../src/errors/codes.js';
import { Outbox } from '../../src/export/outbox/outbox.js';
import { AlertSender } from '../../src/export/sender/alert-sender.js';
import { ConsoleAlertSink } from '../../src/export/sinks/console-sink.js';
import { OtlpAlertSink } from '../../src/export/sinks/otlp-sink.js';
import type { OtlpProtocol } from '../../src/export/otlp/export-config.js';
import { alertId, makeAlert, makeAlerts } from '../support/alerts.js';
import { FastScheduler } from '../support/fast-scheduler.js';
import { OtlpTestReceiver } from '../support/otlp-receiver.js';

let receiver: OtlpTestReceiver;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  receiver = await OtlpTestReceiver.start();
});
afterAll(async () => {
  await receiver.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sw-sender-'));
  receiver.mode = 'ok';
  receiver.logs.length = 0;
  receiver.requests.length = 0;
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

function endpointFor(protocol: OtlpProtocol): string {
  return protocol === 'grpc' ? receiver.grpcUrl : receiver.httpUrl;
}

async function pipeline(
  protocol: OtlpProtocol,
  extra: { scheduler?: FastScheduler; compression?: 'gzip' | 'none'; headers?: Record<string, string>; stopTimeout?: number } = {},
): Promise<{ outbox: Outbox; sender: AlertSender; sink: OtlpAlertSink }> {
  const outbox = await Outbox.open({ dir });
  const sink = OtlpAlertSink.create(
    {
      protocol,
      endpoint: endpointFor(protocol),
      timeout_millis: 500,
      service_instance_id: 'test-instance-1',
      ...(extra.compression === undefined ? {} : { compression: extra.compression }),
      ...(extra.headers === undefined ? {} : { headers: extra.headers }),
    },
    {},
  );
  const sender = new AlertSender(outbox, sink, {
    initial_backoff_millis: 50,
    max_backoff_millis: 400,
    scheduler: extra.scheduler ?? new FastScheduler(),
    random: () => 0.5,
  });
  cleanups.push(async () => {
    await sender.stop(extra.stopTimeout ?? 1_000);
    await outbox.close();
  });
  return { outbox, sender, sink };
}

const PROTOCOLS: OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

describe('AlertSender over OTLP', () => {
  for (const protocol of PROTOCOLS) {
    it(`delivers alerts with every attribute, event name, severity, times and resource over ${protocol}`, async () => {
      const { outbox, sender } = await pipeline(protocol);
      sender.start();
      const alerts = makeAlerts(0, 3);
      await outbox.append(alerts);
      await receiver.waitFor(() => receiver.logs.length === 3, 10_000, '3 records');
      await receiver.waitFor(() => outbox.depth().alerts === 0, 5_000, 'the outbox to drain');
      expect(receiver.requests.every((r) => r.transport === protocol)).toBe(true);
      const got = receiver.logs[1]!;
      const alert = alerts[1]!;
      expect(got.resource).toEqual({ 'service.name': 'secretwatch', 'service.version': packageVersion(), 'service.instance.id': 'test-instance-1' });
      expect(got.scope).toEqual({ name: 'secretwatch', version: packageVersion() });
      expect(got.record.eventName).toBe('secretwatch.alert');
      expect(got.record.severityNumber).toBe(17);
      expect(got.record.severityText).toBe('HIGH');
      expect(got.record.timeUnixNano).toBe(BigInt(Date.parse(alert.time)) * 1_000_000n);
      expect(got.record.observedTimeUnixNano).toBe(BigInt(Date.parse(alert.observed_time)) * 1_000_000n);
      expect(got.body).toBe(alert.body);
      expect(got.attributes).toEqual(alert.attributes);
      // Integers travel as OTLP ints, lists as arrays.
      expect(got.record.attributes['secretwatch.risk_score']).toEqual({ kind: 'int', value: 73n });
      expect(got.record.attributes['secretwatch.sample_secrets']?.kind).toBe('array');
      expect(receiver.logs.map((l) => l.attributes['secretwatch.alert.id'])).toEqual(alerts.map(alertId));
      expect(sender.stats).toMatchObject({ batches_sent: 1, alerts_sent: 3, failures: 0, consecutive_failures: 0 });
    });
  }

  it('sends gzip-compressed requests and the configured headers', async () => {
    const { outbox, sender } = await pipeline('http/protobuf', { compression: 'gzip', headers: { 'x-tenant': 'acme' } });
    sender.start();
    await outbox.append(makeAlerts(0, 2));
    await receiver.waitFor(() => receiver.logs.length === 2);
    expect(receiver.requests[0]).toMatchObject({ contentEncoding: 'gzip', headers: { 'x-tenant': 'acme' } });
  });

  it('sends the headers as gRPC metadata, with gzip on', async () => {
    // grpc-js decompresses before the handler and hides grpc-encoding: delivery is what we can check.
    const { outbox, sender } = await pipeline('grpc', { compression: 'gzip', headers: { 'x-tenant': 'acme' } });
    sender.start();
    await outbox.append(makeAlerts(0, 2));
    await receiver.waitFor(() => receiver.logs.length === 2);
    expect(receiver.requests[0]).toMatchObject({ transport: 'grpc', headers: { 'x-tenant': 'acme' } });
    expect(receiver.logs.map((l) => l.attributes['secretwatch.alert.id'])).toEqual(['alert-000000', 'alert-000001']);
  });

  it('keeps the outbox order across batches', async () => {
    const outbox = await Outbox.open({ dir });
    const sink = OtlpAlertSink.create({ endpoint: receiver.httpUrl, timeout_millis: 500 }, {});
    const sender = new AlertSender(outbox, sink, { max_batch_alerts: 7 });
    cleanups.push(async () => {
      await sender.stop();
      await outbox.close();
    });
    await outbox.append(makeAlerts(0, 30));
    sender.start();
    await receiver.waitFor(() => receiver.logs.length === 30);
    expect(receiver.requests.map((r) => r.records)).toEqual([7, 7, 7, 7, 2]);
    expect(receiver.logs.map((l) => l.attributes['secretwatch.alert.id'])).toEqual(makeAlerts(0, 30).map(alertId));
  });

  it('retries with exponential backoff while the backend answers 503, then delivers every alert', async () => {
    const scheduler = new FastScheduler();
    const { outbox, sender } = await pipeline('http/protobuf', { scheduler });
    receiver.mode = 'unavailable';
    sender.start();
    await outbox.append(makeAlerts(0, 4));
    await receiver.waitFor(() => sender.stats.failures >= 5, 10_000, '5 failures');
    expect(receiver.logs).toHaveLength(0);
    expect(outbox.depth().alerts).toBe(4);
    expect(sender.stats.last_error).toBeDefined();
    // random 0.5: no jitter; 50 ms doubling, capped at 400 ms.
    expect(scheduler.delays.slice(0, 5)).toEqual([50, 100, 200, 400, 400]);
    receiver.mode = 'ok';
    await receiver.waitFor(() => receiver.logs.length === 4, 10_000, 'delivery after recovery');
    await receiver.waitFor(() => outbox.depth().alerts === 0);
    expect(sender.stats.consecutive_failures).toBe(0);
    expect(sender.stats.retries).toBeGreaterThanOrEqual(5);
    expect(sender.stats.alerts_sent).toBe(4);
  });

  for (const protocol of ['http/protobuf', 'grpc'] as const) {
    it(`delivers every alert appended while the backend is down (connection refused) once it is back, over ${protocol}`, async () => {
      const { outbox, sender } = await pipeline(protocol);
      sender.start();
      await outbox.append(makeAlerts(0, 2));
      await receiver.waitFor(() => receiver.logs.length === 2);
      await receiver.stop();
      for (let i = 2; i < 20; i += 3) await outbox.append(makeAlerts(i, 3));
      await receiver.waitFor(() => sender.stats.failures >= 2, 10_000, 'failures while down');
      expect(sender.stats.last_error).toBeDefined();
      await receiver.restart();
      await receiver.waitFor(() => outbox.depth().alerts === 0, 15_000, 'the outbox to drain');
      const ids = receiver.alertIds();
      for (const a of makeAlerts(0, 20)) expect(ids.has(alertId(a))).toBe(true);
      expect(sender.stats.alerts_sent).toBe(20);
    });
  }

  it('re-sends unacknowledged alerts from a new Outbox and Sender on the same folder (a restart)', async () => {
    // First life: the backend never answers, the process stops with alerts in flight.
    receiver.mode = 'hold';
    const outbox1 = await Outbox.open({ dir });
    const sender1 = new AlertSender(outbox1, OtlpAlertSink.create({ endpoint: receiver.httpUrl, timeout_millis: 500 }, {}));
    sender1.start();
    await outbox1.append(makeAlerts(0, 5));
    await receiver.waitFor(() => receiver.heldCount === 1);
    await sender1.stop(100);
    await outbox1.close();
    receiver.release(false);
    expect(receiver.logs).toHaveLength(0);
    // Second life.
    receiver.mode = 'ok';
    const { outbox, sender } = await pipeline('http/protobuf');
    expect(outbox.stats.recovered).toBe(5);
    sender.start();
    await receiver.waitFor(() => receiver.logs.length === 5);
    expect(receiver.logs.map((l) => l.attributes['secretwatch.alert.id'])).toEqual(makeAlerts(0, 5).map(alertId));
  });

  it('stop() flushes what it can within its timeout and leaves the rest in the outbox', async () => {
    const { outbox, sender } = await pipeline('http/protobuf');
    await outbox.append(makeAlerts(0, 3));
    sender.start();
    await sender.stop(2_000);
    expect(receiver.logs).toHaveLength(3);
    expect(outbox.depth().alerts).toBe(0);

    // Backend hanging: stop() returns at its deadline, nothing acknowledged.
    await outbox.close();
    receiver.mode = 'hold';
    const again = await Outbox.open({ dir });
    const stuck = new AlertSender(again, OtlpAlertSink.create({ endpoint: receiver.httpUrl, timeout_millis: 5_000 }, {}));
    stuck.start();
    await again.append(makeAlerts(3, 2));
    await receiver.waitFor(() => receiver.heldCount === 1);
    const t0 = Date.now();
    await stuck.stop(300);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(again.depth().alerts).toBe(2);
    receiver.release(false);
    await again.close();
  });

  it('stop() makes one more attempt at once instead of waiting out a backoff, and stops on its failure', async () => {
    const outbox = await Outbox.open({ dir });
    const sender = new AlertSender(outbox, OtlpAlertSink.create({ endpoint: receiver.httpUrl, timeout_millis: 500 }, {}), {
      initial_backoff_millis: 60_000,
      max_backoff_millis: 60_000,
    });
    receiver.mode = 'unavailable';
    sender.start();
    await outbox.append(makeAlerts(0, 1));
    await receiver.waitFor(() => sender.stats.failures === 1);
    const t0 = Date.now();
    await sender.stop(5_000);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(sender.stats).toMatchObject({ failures: 2, retries: 1, alerts_sent: 0 });
    expect(outbox.depth().alerts).toBe(1);
    await outbox.close();
  });

  it('start and stop are idempotent; stop before start is safe; start after stop is refused', async () => {
    const { sender } = await pipeline('http/protobuf');
    sender.start();
    sender.start();
    await Promise.all([sender.stop(100), sender.stop(100)]);
    let err: unknown;
    try {
      sender.start();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretwatchError);
    expect((err as SecretwatchError).code).toBe('SW_SENDER_STATE');
    const outbox = await Outbox.open({ dir: join(dir, 'other') });
    const never = new AlertSender(outbox, new ConsoleAlertSink(new PassThrough()));
    await never.stop();
    await outbox.close();
  });
});

describe('ConsoleAlertSink', () => {
  it('writes one alert object per line', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const outbox = await Outbox.open({ dir });
    const sender = new AlertSender(outbox, new ConsoleAlertSink(out));
    sender.start();
    await outbox.append([makeAlert(0), makeAlert(1)]);
    await receiver.waitFor(() => outbox.depth().alerts === 0);
    await sender.stop();
    await outbox.close();
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([makeAlert(0), makeAlert(1)]);
  });
});
