import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Detector } from '../detectors/detector.js';
import { defaultRulesDir, loadRules, type LoadedRule } from '../detectors/ruleset/load-rules.js';
import { allFormats } from '../normalizers/index.js';
import type { SecretAccessEvent } from '../normalizers/schema.js';
import { InputCursor } from '../src/decode/cursor.js';
import { Decoder } from '../src/decode/decoder.js';
import { otlpLogsTypes } from '../src/otlp/proto-root.js';
import { OtlpHttpReceiver } from '../src/receivers/otlp-http/receiver.js';
import { cloudTrailLines } from './normalize.bench.js';
import { alternate, spreadRow, type Alternation } from './measure.js';
import type { BenchRow } from './types.js';

const RECORDS = 20_000;
const PER_REQUEST = 500;
/** Requests in flight at once, like a Collector exporter's sending queue consumers. */
const CONCURRENCY = 4;

/** OTLP/HTTP protobuf requests of `PER_REQUEST` string bodies each, as the Collector's awsfirehose receiver forwards them. */
function buildRequests(lines: readonly string[]): Buffer[] {
  const { request: type } = otlpLogsTypes();
  const out: Buffer[] = [];
  for (let i = 0; i < lines.length; i += PER_REQUEST) {
    const logRecords = lines.slice(i, i + PER_REQUEST).map((line, j) => ({
      timeUnixNano: String(BigInt(Date.UTC(2026, 10, 1) + (i + j) * 37) * 1_000_000n),
      observedTimeUnixNano: String(BigInt(Date.UTC(2026, 10, 1) + (i + j) * 37 + 5_000) * 1_000_000n),
      body: { stringValue: line },
      attributes: [{ key: 'cloudwatch.log.group.name', value: { stringValue: 'aws-cloudtrail-logs-123456789012' } }],
    }));
    const message = type.fromObject({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'cloud.provider', value: { stringValue: 'aws' } }] },
          scopeLogs: [{ scope: { name: 'awsfirehose' }, logRecords }],
        },
      ],
    });
    out.push(Buffer.from(type.encode(message).finish()));
  }
  return out;
}

function post(port: number, agent: Agent, body: Buffer, gzip: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/x-protobuf', 'content-length': String(body.length) };
    if (gzip) headers['content-encoding'] = 'gzip';
    const req = request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`receiver answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends every request, `CONCURRENCY` at a time; resolves to the elapsed seconds. */
async function sendAll(port: number, agent: Agent, bodies: readonly Buffer[], gzip: boolean): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  const lane = async (): Promise<void> => {
    while (next < bodies.length) await post(port, agent, bodies[next++] as Buffer, gzip);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function newDetector(rules: readonly LoadedRule[]): Detector {
  return new Detector({ rules, clock: () => Date.UTC(2026, 10, 2) });
}

/**
 * Records/s from an OTLP/HTTP protobuf request arriving to its events scored by a real Detector
 * with the shipped rules, over keep-alive HTTP on 127.0.0.1; plain and gzip bodies. The client
 * runs in the same process (it costs a few % of the receiver's work), so the figure is a floor.
 */
export async function runReceiverBench(): Promise<BenchRow[]> {
  const lines = cloudTrailLines(RECORDS);
  const rules = loadRules(defaultRulesDir());
  const plainBodies = buildRequests(lines);
  const gzipBodies = plainBodies.map((b) => gzipSync(b));

  let detector = newDetector(rules);
  let scored = 0;
  // In process, as replay does: the rate the receiver is compared with.
  const decoder = new Decoder(allFormats, {
    event: (e) => {
      scored++;
      detector.process(e);
    },
    rejection: () => undefined,
    unrelated: () => undefined,
  });
  const cursor = new InputCursor('bench');
  const consumer = (batch: { events: SecretAccessEvent[] }): Promise<void> => {
    for (const event of batch.events) detector.process(event);
    scored += batch.events.length;
    return Promise.resolve();
  };
  const receiver = new OtlpHttpReceiver({ endpoint: '127.0.0.1:0', max_records_in_flight: CONCURRENCY * PER_REQUEST }, { consumer });
  const port = await receiver.start();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // A fresh detector before each timed pass (untimed): the same event times into a used one would all be late.
  const fresh = (): void => {
    detector = newDetector(rules);
    scored = 0;
  };
  // The events the records decode to, counted once: each pass must score all of them.
  for (const line of lines) decoder.decodeText(line, cursor);
  const events = scored;
  const viaReceiver = async (bodies: readonly Buffer[], gzip: boolean): Promise<void> => {
    await sendAll(port, agent, bodies, gzip);
    if (scored !== events) throw new Error(`receiver bench scored ${scored} events, expected ${events}`);
  };
  // Rounds alternate the three workloads so that each sees the same machine (bench/measure.ts).
  let m: Alternation;
  try {
    m = await alternate([
      {
        prepare: fresh,
        run: () => {
          for (const line of lines) decoder.decodeText(line, cursor);
        },
        items: lines.length,
      },
      { prepare: fresh, run: () => viaReceiver(plainBodies, false), items: lines.length },
      { prepare: fresh, run: () => viaReceiver(gzipBodies, true), items: lines.length },
    ]);
  } finally {
    agent.destroy();
    await receiver.stop();
  }
  const avgKiB = Math.round(plainBodies.reduce((n, b) => n + b.length, 0) / plainBodies.length / 1024);
  const note = `${PER_REQUEST} records/request (${avgKiB} KiB), ${CONCURRENCY} keep-alive connections`;
  return [
    spreadRow('receiver.in_process.decode_score', m.rate(0), 'records/s', `${rules.length} shipped rules; ${events} events in ${RECORDS} records`),
    spreadRow('receiver.otlp_http_protobuf.received_to_scored', m.rate(1), 'records/s', note),
    spreadRow('receiver.otlp_http_protobuf.ratio', m.ratio(1, 0), 'x in-process', 'per-round ratio; target >= 0.6'),
    spreadRow('receiver.otlp_http_protobuf_gzip.received_to_scored', m.rate(2), 'records/s', `${note}, gzip`),
    spreadRow('receiver.otlp_http_protobuf_gzip.ratio', m.ratio(2, 0), 'x in-process', 'per-round ratio; target >= 0.6'),
  ];
}
