import { mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterFile, type DeadLetterLine } from '../../src/export/dead-letter/dead-letter-file.js';
import { Outbox } from '../../src/export/outbox/outbox.js';
import { AlertSender } from '../../src/export/sender/alert-sender.js';
import { OtlpAlertSink } from '../../src/export/sinks/otlp-sink.js';
import type { OtlpProtocol } from '../../src/export/otlp/export-config.js';
import { ProblemLog } from '../../src/telemetry/problem-log.js';
import { alertId, makeAlert, makeAlerts } from '../support/alerts.js';
import { FastScheduler } from '../support/fast-scheduler.js';
import { captureLog } from '../support/log-capture.js';
import { OtlpTestReceiver, type RefusalStatus } from '../support/otlp-receiver.js';

/**
 * Alerts a backend refuses for good (HTTP 400/413..., gRPC INVALID_ARGUMENT...) go to the
 * dead-letter file and the queue moves on; transient refusals are retried. Against a real local
 * OTLP backend over the three protocols.
 */
let backend: OtlpTestReceiver;
let small: OtlpTestReceiver;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];
const PROTOCOLS: OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

beforeAll(async () => {
  backend = await OtlpTestReceiver.start();
  small = await OtlpTestReceiver.start({ max_request_bytes: 16 * 1024 });
});
afterAll(async () => {
  await backend.stop();
  await small.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sw-dead-letter-'));
  for (const r of [backend, small]) {
    r.mode = 'ok';
    r.answer = undefined;
    r.logs.length = 0;
    r.requests.length = 0;
  }
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dir, { recursive: true, force: true });
});

async function pipeline(
  receiver: OtlpTestReceiver,
  protocol: OtlpProtocol,
  options: { deadLetterMaxBytes?: number; deadLetterPath?: string; maxBatchAlerts?: number } = {},
): Promise<{ outbox: Outbox; sender: AlertSender; deadLetter: DeadLetterFile; lines: Record<string, unknown>[] }> {
  const outbox = await Outbox.open({ dir: join(dir, 'outbox') });
  const deadLetter = await DeadLetterFile.open(options.deadLetterPath ?? join(dir, 'dead-letter', 'alerts.jsonl'), options.deadLetterMaxBytes);
  const sink = OtlpAlertSink.create({ protocol, endpoint: protocol === 'grpc' ? receiver.grpcUrl : receiver.httpUrl, timeout_millis: 500 }, {});
  const { lines, logger } = captureLog();
  const problems = new ProblemLog(logger);
  const sender = new AlertSender(outbox, sink, {
    initial_backoff_millis: 50,
    max_backoff_millis: 200,
    scheduler: new FastScheduler(),
    random: () => 0.5,
    dead_letter: deadLetter,
    problems,
    ...(options.maxBatchAlerts === undefined ? {} : { max_batch_alerts: options.maxBatchAlerts }),
  });
  cleanups.push(async () => {
    await sender.stop(1_000);
    await outbox.close();
  });
  return { outbox, sender, deadLetter, lines };
}

async function deadLetters(path = join(dir, 'dead-letter', 'alerts.jsonl')): Promise<DeadLetterLine[]> {
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as DeadLetterLine);
}

const refuse = (id: string, status: RefusalStatus) => (logs: readonly { attributes: Record<string, unknown> }[]) =>
  logs.some((l) => l.attributes['secretwatch.alert.id'] === id) ? status : undefined;

describe('AlertSender: permanent refusals', () => {
  for (const protocol of PROTOCOLS) {
    it(`dead-letters the one alert a backend answers 400 / INVALID_ARGUMENT to and delivers the others in order, over ${protocol}`, async () => {
      const alerts = makeAlerts(0, 9);
      const poison = alertId(alerts[5]!);
      backend.answer = refuse(poison, 400);
      const { outbox, sender, lines } = await pipeline(backend, protocol);
      await outbox.append(alerts);
      sender.start();
      await backend.waitFor(() => backend.logs.length === 8 && outbox.depth().alerts === 0, 10_000, 'eight alerts delivered and the outbox empty');

      expect(backend.logs.map((l) => l.attributes['secretwatch.alert.id'])).toEqual(alerts.map(alertId).filter((id) => id !== poison));
      const dead = await deadLetters();
      const reason = protocol === 'grpc' ? 'grpc_invalid_argument' : 'http_400';
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ reason, sink: `otlp ${protocol}`, alert: alerts[5] });
      expect(dead[0]!.detail).not.toBe('');
      expect(Date.parse(dead[0]!.dead_lettered_at)).not.toBeNaN();
      expect(sender.stats.dead_lettered.get(reason)).toBe(1);
      expect(sender.stats.permanent_failures).toBeGreaterThanOrEqual(1);
      // Split, not retried with backoff: no retry was waited for.
      expect(sender.stats.retries).toBe(0);
      const logged = lines.find((l) => l.problem === 'alert_dead_lettered');
      expect(logged).toMatchObject({ level: 50, alert_id: poison, outbox_seq: 5, dead_letter_file: join(dir, 'dead-letter', 'alerts.jsonl') });
    });
  }

  it('dead-letters an alert too large for the backend (413 over HTTP, RESOURCE_EXHAUSTED "larger than max" over gRPC)', async () => {
    for (const protocol of ['http/protobuf', 'grpc'] as const) {
      small.logs.length = 0;
      const big = makeAlert(100, { body: 'x'.repeat(40_000) });
      const { outbox, sender } = await pipeline(small, protocol);
      await outbox.append([makeAlert(99), big, makeAlert(101)]);
      sender.start();
      await small.waitFor(() => small.logs.length === 2 && outbox.depth().alerts === 0, 10_000, 'two alerts delivered');
      const reason = protocol === 'grpc' ? 'grpc_resource_exhausted' : 'http_413';
      expect((await deadLetters()).filter((d) => d.reason === reason).map((d) => alertId(d.alert))).toEqual([alertId(big)]);
      await sender.stop(1_000);
      await outbox.close();
      cleanups.splice(0);
    }
  });

  for (const status of [408, 429, 500, 503] as const) {
    it(`retries an alert the backend answers ${status} to, and never dead-letters it`, async () => {
      let refusals = 2;
      backend.answer = () => (refusals-- > 0 ? status : undefined);
      const { outbox, sender, lines } = await pipeline(backend, 'http/protobuf');
      await outbox.append(makeAlerts(0, 3));
      sender.start();
      await backend.waitFor(() => backend.logs.length === 3, 10_000, 'three alerts');
      expect(await deadLetters()).toEqual([]);
      expect(sender.stats.permanent_failures).toBe(0);
      expect(sender.stats.retries).toBeGreaterThanOrEqual(1);
      // One line for the two failures in a row (rate-limited), with the delay it waits.
      const failed = lines.filter((l) => l.problem === 'alert_export_failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ level: 40, retry_in_ms: 50, sink: 'otlp http/protobuf' });
    });
  }

  it('keeps a refused alert in the outbox while the dead-letter file cannot be written, then moves it there', async () => {
    const path = join(dir, 'dl', 'alerts.jsonl');
    const alerts = makeAlerts(0, 3);
    backend.answer = refuse(alertId(alerts[1]!), 400);
    const { outbox, sender, lines } = await pipeline(backend, 'http/protobuf', { deadLetterPath: path });
    await mkdir(path); // a folder where the file should be: every append fails
    await outbox.append(alerts);
    sender.start();
    await backend.waitFor(() => lines.some((l) => l.problem === 'dead_letter_write_failed'), 10_000, 'the failed dead-letter write');
    expect(outbox.depth().alerts).toBe(2);
    expect(sender.stats.failing_since_ms).toEqual(expect.any(Number)); // stuck: counts towards degraded
    await rmdir(path);
    await backend.waitFor(() => backend.logs.length === 2 && outbox.depth().alerts === 0, 10_000, 'the queue to move on');
    expect((await deadLetters(path)).map((d) => alertId(d.alert))).toEqual([alertId(alerts[1]!)]);
  });

  it('does not count a dead-lettered alert as a stuck outbox (no degraded readiness while the backend answers)', async () => {
    const [only] = makeAlerts(0, 1);
    backend.answer = refuse(alertId(only!), 400);
    const { outbox, sender } = await pipeline(backend, 'http/protobuf');
    await outbox.append([only!]);
    sender.start();
    await backend.waitFor(() => outbox.depth().alerts === 0, 10_000, 'the outbox to empty');
    expect(sender.stats).toMatchObject({ permanent_failures: 1, failures: 1, failing_since_ms: undefined });
  });

  it('drops (counts and logs) a refused alert once the dead-letter file holds its max_bytes', async () => {
    const alerts = makeAlerts(0, 3);
    backend.answer = (logs) => (logs.some((l) => l.attributes['secretwatch.alert.id'] !== alertId(alerts[2]!)) ? 400 : undefined);
    const { outbox, sender, lines, deadLetter } = await pipeline(backend, 'http/protobuf', { deadLetterMaxBytes: 1500 });
    await outbox.append(alerts);
    sender.start();
    await backend.waitFor(() => backend.logs.length === 1 && outbox.depth().alerts === 0, 10_000, 'the queue to move on');
    expect((await deadLetters()).map((d) => alertId(d.alert))).toEqual([alertId(alerts[0]!)]);
    expect(sender.stats.dead_letter_dropped.get('http_400')).toBe(1);
    expect(deadLetter.stats).toMatchObject({ stored: 1, dropped_full: 1 });
    expect(lines.find((l) => l.problem === 'alert_dead_letter_dropped')).toMatchObject({ level: 50, alert_id: alertId(alerts[1]!) });
  });
});
