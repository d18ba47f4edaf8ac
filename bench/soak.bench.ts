import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Detector } from '../detectors/detector.js';
import { defaultRulesDir, loadRules } from '../detectors/ruleset/load-rules.js';
import { allFormats } from '../normalizers/index.js';
import { InputCursor } from '../src/decode/cursor.js';
import { Decoder } from '../src/decode/decoder.js';
import { SoakBackend } from './soak/backend.js';
import { SoakChild } from './soak/child.js';
import { grpcClient, sendGrpc, sendHttp, type SendResult } from './soak/send.js';
import { RECORDS_PER_REQUEST, SoakTraffic, type SoakRequest } from './soak/traffic.js';
import type { BenchRow } from './types.js';

/**
 * The soak: `secretwatch run` as a child process under mixed valid, malformed and gzip-bomb
 * traffic at its capacity (lanes that send back to back and retry 429/503 like a Collector), with
 * one `kill -9` and restart at 40% of the run and a backend outage (503) from 55% to 75%.
 *
 * Expected alerts come from the stream itself: every valid request carries one attack unit that
 * raises exactly one alert whatever the order of requests, and the attack records of the requests
 * the sidecar accepted (200) go through an in-process Detector with the same rules, which gives
 * the alert ids the backend must receive. Reports expected vs delivered, duplicates (an alert id
 * received twice), peak RSS of the child and /healthz latency.
 *
 * Only run when named: `npm run bench -- soak` (10 minutes), `SECRETWATCH_SOAK_SECONDS=120` for a
 * short run.
 */
const HTTP_LANES = 4;
const GRPC_LANES = 2;
const HEALTH_EVERY_MS = 50;
const HEALTH_TIMEOUT_MS = 2_000;
const DRAIN_TIMEOUT_MS = 90_000;

export function soakSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.SECRETWATCH_SOAK_SECONDS ?? 600);
  if (!Number.isFinite(value) || value < 30) throw new Error(`SECRETWATCH_SOAK_SECONDS must be a number of seconds >= 30, got ${env.SECRETWATCH_SOAK_SECONDS}`);
  return value;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** /healthz round trips while the child is up: latency in ms, or the timeout when it did not answer. */
function probe(port: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: HEALTH_TIMEOUT_MS, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - start : HEALTH_TIMEOUT_MS));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(HEALTH_TIMEOUT_MS));
  });
}

/** The child's own event loop delay (prom-client's histogram since the process started), ms. */
async function eventLoopDelay(port: number): Promise<{ p99: number; max: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const read = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? Number.NaN : Number(line.slice(name.length + 1)) * 1000;
  };
  return { p99: read('secretwatch_process_nodejs_eventloop_lag_p99_seconds'), max: read('secretwatch_process_nodejs_eventloop_lag_max_seconds') };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface Tally {
  accepted: number;
  refused: number;
  retried: number;
  unresolved: number;
}

export async function runSoakBench(seconds = soakSeconds()): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sw-soak-'));
  const backend = await SoakBackend.start();
  const [httpPort, grpcPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
      'receivers:',
      `  otlp_http: { endpoint: 127.0.0.1:${httpPort} }`,
      `  otlp_grpc: { endpoint: 127.0.0.1:${grpcPort} }`,
      `http: { endpoint: 127.0.0.1:${healthPort} }`,
      `exporter: { type: otlp, otlp: { protocol: http/protobuf, endpoint: ${JSON.stringify(backend.url)} }, retry: { initial_backoff_millis: 500, max_backoff_millis: 5000 } }`,
      'log: { level: info }',
      '',
    ].join('\n'),
  );
  const child = new SoakChild(config);
  const traffic = new SoakTraffic();
  const tally: Record<SoakRequest['kind'], Tally> = {
    valid: { accepted: 0, refused: 0, retried: 0, unresolved: 0 },
    malformed: { accepted: 0, refused: 0, retried: 0, unresolved: 0 },
    bomb: { accepted: 0, refused: 0, retried: 0, unresolved: 0 },
  };
  const refusedValid = new Map<string, number>();
  const acceptedAttacks: string[][] = [];
  const health: number[] = [];
  let up = false;
  let sending = true;
  let probing = true;

  await child.start();
  up = true;
  const started = Date.now();

  const lane = async (grpc: boolean): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const client = grpc ? grpcClient(grpcPort) : undefined;
    try {
      while (sending) {
        const req = traffic.take(grpc);
        let result: SendResult | undefined;
        while (sending) {
          result = client !== undefined ? await sendGrpc(client, req) : await sendHttp(httpPort, agent, req);
          if (result.outcome !== 'retry') break;
          tally[req.kind].retried++;
          await sleep(result.afterMs);
        }
        if (result === undefined || result.outcome === 'retry') tally[req.kind].unresolved++;
        else if (result.outcome === 'accepted') {
          tally[req.kind].accepted++;
          if (req.kind === 'valid') acceptedAttacks.push(req.attack);
        } else {
          tally[req.kind].refused++;
          if (req.kind === 'valid') refusedValid.set(result.why, (refusedValid.get(result.why) ?? 0) + 1);
        }
      }
    } finally {
      agent.destroy();
      client?.close();
    }
  };
  const prober = async (): Promise<void> => {
    while (probing) {
      if (up) {
        const ms = await probe(healthPort);
        if (up) health.push(ms);
      }
      await sleep(HEALTH_EVERY_MS);
    }
  };
  const faults = async (): Promise<{ restartMs: number }> => {
    await sleep(seconds * 400);
    up = false;
    await child.kill();
    const t = Date.now();
    await child.start();
    up = true;
    const restartMs = Date.now() - t;
    await sleep(Math.max(0, started + seconds * 550 - Date.now()));
    backend.down = true;
    await sleep(Math.max(0, started + seconds * 750 - Date.now()));
    backend.down = false;
    return { restartMs };
  };

  const lanes = [...Array.from({ length: HTTP_LANES }, () => lane(false)), ...Array.from({ length: GRPC_LANES }, () => lane(true))];
  const probing$ = prober();
  const { restartMs } = await faults();
  await sleep(Math.max(0, started + seconds * 1000 - Date.now()));
  sending = false;
  await Promise.all(lanes);
  const sentSeconds = (Date.now() - started) / 1000;

  // Expected alerts: the accepted attack records through a reference detector.
  const expected = new Set<string>();
  const reference = new Detector({ rules: loadRules(defaultRulesDir()), clock: Date.now });
  const decoder = new Decoder(allFormats, {
    event: (event) => {
      for (const alert of reference.process(event)) expected.add(String(alert.attributes['secretwatch.alert.id']));
    },
    rejection: () => undefined,
    unrelated: () => undefined,
  });
  const cursor = new InputCursor('soak');
  for (const unit of acceptedAttacks) for (const line of unit) decoder.decodeText(line, cursor);

  const drainStart = Date.now();
  const missing = (): number => [...expected].filter((id) => !backend.delivered.has(id)).length;
  while (missing() > 0 && Date.now() - drainStart < DRAIN_TIMEOUT_MS) await sleep(250);
  const drainSeconds = (Date.now() - drainStart) / 1000;
  probing = false;
  await probing$;
  const loopDelay = await eventLoopDelay(healthPort);
  up = false;
  const exitCode = await child.stop();
  await backend.stop();
  rmSync(dir, { recursive: true, force: true });

  const delivered = [...expected].filter((id) => backend.delivered.has(id)).length;
  const unexpected = [...backend.delivered.keys()].filter((id) => !expected.has(id)).length;
  const records = tally.valid.accepted * RECORDS_PER_REQUEST;
  const note = `${Math.round(seconds)} s, ${HTTP_LANES} HTTP + ${GRPC_LANES} gRPC lanes; kill -9 at 40% (restart ${restartMs} ms), backend 503 from 55% to 75%`;
  const kinds = (['valid', 'malformed', 'bomb'] as const).map((k) => `${k} ${tally[k].accepted} accepted / ${tally[k].refused} refused / ${tally[k].retried} retries / ${tally[k].unresolved} unresolved`);
  const refusals = [...refusedValid].map(([why, n]) => `${why} x${n}`).join(', ');
  return [
    { name: 'soak.alerts.expected', value: expected.size, unit: 'alerts', note },
    { name: 'soak.alerts.delivered', value: delivered, unit: 'alerts', note: `of the expected; drained ${drainSeconds.toFixed(1)} s after the traffic stopped; target: all` },
    { name: 'soak.alerts.duplicates', value: backend.duplicates, unit: 'deliveries', note: 'the same secretwatch.alert.id received again' },
    { name: 'soak.alerts.unexpected', value: unexpected, unit: 'alerts', note: 'delivered ids not in the expectation (e.g. raised by a request whose answer a kill -9 cut off)' },
    { name: 'soak.child.peak_rss', value: child.peakRssBytes / 2 ** 20, unit: 'MiB', note: 'VmHWM over both processes; target < 512' },
    { name: 'soak.healthz.p99', value: percentile(health, 99), unit: 'ms', note: `${health.length} probes every ${HEALTH_EVERY_MS} ms while up; target < 100` },
    { name: 'soak.healthz.max', value: Math.max(...health), unit: 'ms', note: `${health.filter((ms) => ms >= HEALTH_TIMEOUT_MS).length} probes unanswered within ${HEALTH_TIMEOUT_MS} ms` },
    {
      name: 'soak.child.event_loop_delay_p99',
      value: loopDelay.p99,
      unit: 'ms',
      note: `max ${loopDelay.max.toFixed(0)} ms, restarted child, its own histogram; machine load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores at the end`,
    },
    { name: 'soak.requests', value: tally.valid.accepted + tally.malformed.accepted + tally.bomb.accepted, unit: 'accepted', note: kinds.join('; ') + (refusals === '' ? '' : `; valid refused: ${refusals}`) },
    { name: 'soak.valid_records', value: records / sentSeconds, unit: 'records/s', note: `accepted, ${RECORDS_PER_REQUEST} per valid request; backend refused ${backend.refused} exports during the outage; exit code ${exitCode}` },
  ];
}
