import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRunSettings } from '../../src/run/settings.js';
import { Sidecar } from '../../src/run/sidecar.js';
import { OtlpTestReceiver } from '../support/otlp-receiver.js';
import { RecordingFiles } from '../support/recording-files.js';
import { configDir, post, read } from './durability-support.js';

/**
 * Issue 9, item 11 at the level where it happens: the sidecar in process over a file layer that
 * records, holds or fails writes and syncs, with a real HTTP client and a real OTLP backend.
 */
const base = Date.now() - 30 * 60_000;
const distinct = (i: number, secret = `prod/s-${i}`): Record<string, unknown> =>
  read(base, i, `d-${secret}`, 'sweeper', { requestParameters: { secretId: secret } });

interface Running {
  sidecar: Sidecar;
  backend: OtlpTestReceiver;
  files: RecordingFiles;
  port: number;
  healthPort: number;
}
const running: Running[] = [];

async function start(extraYaml = ''): Promise<Running> {
  const backend = await OtlpTestReceiver.start();
  // In process, the exporter takes its endpoint from the config file, not from this process's environment.
  const { config } = configDir(
    `${extraYaml}receivers:\n  otlp_grpc: null\nexporter:\n  type: otlp\n  otlp:\n    endpoint: ${backend.httpUrl}\n    protocol: http/protobuf\n  retry:\n    initial_backoff_millis: 50\n`,
  );
  const settings = resolveRunSettings({ config, otlpHttpListen: '127.0.0.1:0', httpListen: '127.0.0.1:0' }, {});
  const files = new RecordingFiles();
  const sidecar = new Sidecar(settings, pino({ level: 'silent' }), Date.now, files);
  const addresses = await sidecar.start();
  const r = { sidecar, backend, files, port: addresses.otlpHttpPort ?? 0, healthPort: addresses.httpPort };
  running.push(r);
  return r;
}

async function whenReady(r: Running): Promise<void> {
  const until = Date.now() + 10_000;
  while ((await fetch(`http://127.0.0.1:${r.healthPort}/readyz`)).status !== 200) {
    if (Date.now() > until) throw new Error('not ready again within 10 s');
    await new Promise((res) => setTimeout(res, 10));
  }
}

const spikeAlerts = (r: Running): number => r.backend.logs.filter((l) => l.attributes['security_rule.name'] === 'secret_access_spike').length;

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.sidecar.stop();
    await r.backend.stop();
  }
});

describe('sidecar durability through the file layer', () => {
  it('answers a request only after its events are fdatasync\'d to the write-ahead log', async () => {
    const r = await start();
    const release = r.files.holdNext('datasync');
    let status: number | undefined;
    const answered = post(r.port, [distinct(0)]).then((s) => (status = s));
    await r.files.waitFor('datasync');
    await new Promise((res) => setTimeout(res, 100));
    expect(status).toBeUndefined();
    release();
    await answered;
    expect(status).toBe(200);
    const wal = r.files.ops.filter((o) => o.path.includes(`${join('state', 'wal')}`) && (o.op === 'write' || o.op === 'datasync'));
    expect(wal.map((o) => o.op)).toEqual(['write', 'datasync']);
  });

  it('refuses a request whose alert cannot be synced to the outbox, and leaves no trace: its retry alerts once', async () => {
    const r = await start();
    for (let i = 0; i < 10; i++) expect(await post(r.port, [distinct(i)])).toBe(200);
    r.files.failNext('datasync', 'EIO', (path) => path.includes('seg-'));
    // The 11th distinct secret crosses the line: its alert's sync fails.
    expect(await post(r.port, [distinct(10)])).toBe(503);
    await whenReady(r);
    expect(await post(r.port, [distinct(10)])).toBe(200);
    await r.backend.waitFor(() => spikeAlerts(r) >= 1, 10_000, 'the spike alert');
    await new Promise((res) => setTimeout(res, 300));
    expect(spikeAlerts(r)).toBe(1);
  });

  it('refuses a request whose write-ahead-log sync fails, and leaves no trace in the counts', async () => {
    const r = await start();
    for (let i = 0; i < 9; i++) expect(await post(r.port, [distinct(i)])).toBe(200);
    r.files.failNext('datasync', 'EIO', (path) => path.includes('wal-'));
    expect(await post(r.port, [distinct(9)])).toBe(503);
    await whenReady(r);
    // Had the refused read been counted, this one (the 11th distinct) would alert.
    expect(await post(r.port, [distinct(20, 'prod/other')])).toBe(200);
    await new Promise((res) => setTimeout(res, 300));
    expect(spikeAlerts(r)).toBe(0);
    // The Collector's retry of the refused request is the 11th distinct secret.
    expect(await post(r.port, [distinct(9)])).toBe(200);
    await r.backend.waitFor(() => spikeAlerts(r) >= 1, 10_000, 'the spike alert');
    const metrics = await (await fetch(`http://127.0.0.1:${r.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/secretwatch_wal_write_errors_total 1/);
    expect(metrics).toMatch(/secretwatch_state_rebuilds_total 1/);
  });
});

describe('write-ahead log bound (state.wal_max_bytes)', () => {
  it('takes a snapshot early past the bound, and refuses with 429 past twice the bound while snapshots fail', async () => {
    const r = await start('  wal_max_bytes: 1048576\n');
    const batch = (from: number): Record<string, unknown>[] => Array.from({ length: 400 }, (_, k) => distinct(from + k, `prod/x-${from + k}`));
    const walBytes = async (): Promise<number> => Number(/^secretwatch_wal_bytes (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${r.healthPort}/metrics`)).text())?.[1]);
    // Past 1 MiB of log: the next request triggers a snapshot, which empties the log.
    for (let i = 0; (await walBytes()) < 1_048_576; i += 400) expect(await post(r.port, batch(i))).toBe(200);
    expect(await post(r.port, batch(100_000))).toBe(200);
    await waitUntil(async () => (await walBytes()) < 1_048_576, 'the early snapshot');
    expect(r.files.ops.some((o) => o.op === 'rename' && o.path.endsWith('detector.state'))).toBe(true);
    // Snapshots now fail: the log grows to twice its bound, then requests are refused, and say why.
    r.files.failNext('rename', 'ENOSPC', (path) => path.endsWith('detector.state'), 1_000);
    let status = 200;
    for (let i = 200_000; status === 200; i += 400) status = await post(r.port, batch(i));
    expect(status).toBe(429);
    expect(await walBytes()).toBeGreaterThan(2 * 1_048_576);
    expect(await (await fetch(`http://127.0.0.1:${r.healthPort}/readyz`)).text()).toContain('write-ahead log over its bound');
  });
});

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
