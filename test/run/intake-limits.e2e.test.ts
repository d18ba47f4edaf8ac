import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRpcStatus } from '../../src/otlp/rpc-status.js';
import { jsonRequest, protobufRequest, stringRecord } from '../otlp/payloads.js';
import { post as postRaw, type RawResponse } from '../receivers/support.js';
import { runCli } from '../support/cli.js';
import { grpcExportRaw } from '../support/grpc-raw.js';
import { getSecretValue } from '../support/records.js';
import { startSidecar, type SidecarProcess } from './sidecar-process.js';

/**
 * Hostile intake against `secretwatch run` as a child process: gzip bombs inside log bodies meet
 * one decompression budget per request (HTTP, OTLP/JSON base64 and gRPC alike), and concurrent
 * big uploads meet the byte admission bound (429 / RESOURCE_EXHAUSTED, released afterwards),
 * while /healthz keeps answering.
 */
const TOKEN = 'intake-tok';
const MIB = 1024 * 1024;
const MAX_INFLATED = 4 * MIB;
const MAX_IN_FLIGHT = 8 * MIB;
const PB = { 'content-type': 'application/x-protobuf', authorization: `Bearer ${TOKEN}` };

/** A gzip member of `mib` MiB of spaces, repeated `members` times: Node inflates concatenated members. */
function bomb(mib: number, members: number): Buffer {
  const one = gzipSync(Buffer.alloc(mib * MIB, 0x20), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => one));
}

const record = (i: number): string =>
  JSON.stringify(getSecretValue({ eventID: `intake-${i}`, eventTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') }));

function post(port: number, body: Uint8Array, headers: Record<string, string> = PB): Promise<RawResponse> {
  return postRaw(port, body, headers, { agent: new Agent() });
}

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}

function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? ' ' : `{${labels}} `}`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function waitForMetric(port: number, name: string, check: (v: number) => boolean): Promise<number> {
  const start = Date.now();
  for (;;) {
    const value = metric((await get(port, '/metrics')).text, name);
    if (check(value)) return value;
    if (Date.now() - start > 10_000) throw new Error(`${name} stayed at ${value}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * An upload that sends its headers and `sent` bytes of a body declared `declared` long, then
 * waits: the connection holds its bytes in the sidecar until `finish()` or `abort()`.
 */
function holdUpload(port: number, declared: number, sent: number): { socket: Socket; response: Promise<string>; finish(): void; abort(): void } {
  const socket = connect(port, '127.0.0.1');
  socket.write(`POST /v1/logs HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-protobuf\r\nauthorization: Bearer ${TOKEN}\r\ncontent-length: ${declared}\r\nconnection: close\r\n\r\n`);
  socket.write(Buffer.alloc(sent, 0));
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('error', () => undefined);
  const response = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  return {
    socket,
    response,
    finish: () => socket.end(Buffer.alloc(declared - sent, 0)),
    abort: () => socket.destroy(),
  };
}

describe('secretwatch run: gzip bombs and admission by bytes', () => {
  let sidecar: SidecarProcess;
  const dir = mkdtempSync(join(tmpdir(), 'sw-intake-'));

  beforeAll(async () => {
    const config = join(dir, 'config.yaml');
    const receiver = `{ bearer_token: ${TOKEN}, max_decompressed_bytes: ${MAX_INFLATED}, max_bytes_in_flight: ${MAX_IN_FLIGHT}, max_request_bytes: ${16 * MIB} }`;
    writeFileSync(config, `state: { dir: ${JSON.stringify(join(dir, 'state'))} }\nexporter: { type: console }\nreceivers:\n  otlp_http: ${receiver}\n  otlp_grpc: ${receiver}\n`);
    sidecar = await startSidecar(['--config', config], {});
  });

  afterAll(() => {
    if (sidecar.proc.exitCode === null) sidecar.proc.kill('SIGKILL');
  });

  it('logs at start whether each receiver requires a token', () => {
    const lines = sidecar.logs.filter((l) => l.receiver !== undefined);
    expect(lines.map((l) => [l.receiver, l.bearer_token_required])).toEqual([
      ['otlp-http', true],
      ['otlp-grpc', true],
    ]);
  });

  it('refuses a request of eight compressed bodies past max_decompressed_bytes, over HTTP, base64 in JSON and gRPC', async () => {
    // Each body inflates to 256 MiB (1 MiB-level spaces, 256 gzip members); each alone is over the limit too.
    const body = bomb(1, 256).toString('base64');
    const records = [stringRecord(record(1)), ...Array.from({ length: 8 }, () => ({ body: { bytesValue: body } }))];
    const pb = protobufRequest(jsonRequest(records));
    const health = get(sidecar.httpPort, '/healthz');

    const viaProtobuf = await post(sidecar.otlpHttpPort, pb);
    expect(viaProtobuf.status).toBe(413);
    expect(decodeRpcStatus(viaProtobuf.body).message).toBe(`the request inflates to more than max_decompressed_bytes (${MAX_INFLATED}), nested log bodies included`);

    const viaJson = await post(sidecar.otlpHttpPort, Buffer.from(JSON.stringify(jsonRequest(records))), { ...PB, 'content-type': 'application/json' });
    expect(viaJson.status).toBe(413);

    // Base64 gzip text in a string body, and small bombs that only add up past the limit.
    const small = gzipSync(Buffer.alloc(MIB, 0x20)).toString('base64');
    const adding = await post(sidecar.otlpHttpPort, protobufRequest(jsonRequest(Array.from({ length: 8 }, () => stringRecord(small)))));
    expect(adding.status).toBe(413);

    const viaGrpc = await grpcExportRaw(sidecar.otlpGrpcPort, pb, TOKEN);
    expect(viaGrpc.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(viaGrpc.error?.details).toContain('max_decompressed_bytes');

    expect((await health).status).toBe(200);
    expect(await get(sidecar.httpPort, '/healthz')).toEqual({ status: 200, text: 'ok\n' });
    const metrics = (await get(sidecar.httpPort, '/metrics')).text;
    expect(metric(metrics, 'secretwatch_requests_refused_total', 'receiver="otlp-http",reason="too_large"')).toBe(3);
    expect(metric(metrics, 'secretwatch_requests_refused_total', 'receiver="otlp-grpc",reason="too_large"')).toBe(1);
    // Bounded memory: 4 x 2 GiB of bombs never came near being inflated.
    expect(metric(metrics, 'secretwatch_process_process_resident_memory_bytes')).toBeLessThan(400 * MIB);
    expect(metric(metrics, 'secretwatch_intake_bytes_in_flight')).toBe(0);

    // Nothing refused was scored; a good request afterwards is.
    const ok = await post(sidecar.otlpHttpPort, protobufRequest(jsonRequest([stringRecord(record(2))])));
    expect(ok.status).toBe(200);
    expect(metric((await get(sidecar.httpPort, '/metrics')).text, 'secretwatch_events_normalized_total', 'receiver="otlp-http"')).toBe(1);
  });

  it('a gzip request body that inflates past the limit is a 413 as well', async () => {
    const res = await post(sidecar.otlpHttpPort, bomb(1, 64), { ...PB, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(decodeRpcStatus(res.body).message).toBe(`gzip request body inflates to more than ${MAX_INFLATED} bytes`);
  });

  it('answers 429 + Retry-After / RESOURCE_EXHAUSTED once big uploads hold the byte budget, and releases it on every path', async () => {
    const port = sidecar.otlpHttpPort;
    const first = holdUpload(port, 7 * MIB, 5 * MIB);
    await waitForMetric(sidecar.httpPort, 'secretwatch_intake_bytes_in_flight', (v) => v >= 5 * MIB);

    // A second big upload does not fit: refused while it is still sending, with Retry-After.
    const second = holdUpload(port, 7 * MIB, 4 * MIB);
    const refused = await second.response;
    expect(refused).toMatch(/^HTTP\/1\.1 429 /);
    expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
    // And over gRPC: a 4 MiB message does not fit either.
    const grpc = await grpcExportRaw(sidecar.otlpGrpcPort, protobufRequest(jsonRequest([stringRecord('x'.repeat(4 * MIB))])), TOKEN);
    expect(grpc.error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(grpc.error?.metadata.get('grpc-status-details-bin')).toHaveLength(1); // RetryInfo: the Collector retries
    expect((await get(sidecar.httpPort, '/healthz')).status).toBe(200);

    // A client that disconnects mid-upload gives its bytes back.
    const third = holdUpload(port, 2 * MIB, MIB);
    await waitForMetric(sidecar.httpPort, 'secretwatch_intake_bytes_in_flight', (v) => v >= 6 * MIB);
    third.abort();
    await waitForMetric(sidecar.httpPort, 'secretwatch_intake_bytes_in_flight', (v) => v < 6 * MIB);

    // The first finishes (zero bytes decode as an empty request: 200), and everything is released.
    first.finish();
    expect(await first.response).toMatch(/^HTTP\/1\.1 200 /);
    expect(await waitForMetric(sidecar.httpPort, 'secretwatch_intake_bytes_in_flight', (v) => v === 0)).toBe(0);

    // Then the same big upload fits, and a normal request succeeds.
    const again = await post(port, protobufRequest(jsonRequest([stringRecord(record(3)), stringRecord('y'.repeat(5 * MIB))])));
    expect(again.status).toBe(200);
    const metrics = (await get(sidecar.httpPort, '/metrics')).text;
    expect(metric(metrics, 'secretwatch_requests_refused_total', 'receiver="otlp-http",reason="overloaded"')).toBe(1);
    expect(metric(metrics, 'secretwatch_requests_refused_total', 'receiver="otlp-grpc",reason="overloaded"')).toBe(1);
    expect(metric(metrics, 'secretwatch_intake_bytes_in_flight')).toBe(0);
  });
});

describe('secretwatch run: SECRETWATCH_TOKEN', () => {
  it('set but empty is a configuration error (exit 2), as an empty bearer_token in the file is', async () => {
    const env = { METADATA_SERVER_DETECTION: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: '' };
    const fromEnv = await runCli(['validate'], { env: { ...env, SECRETWATCH_TOKEN: '' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('SECRETWATCH_TOKEN must be a non-empty token without spaces');
    const dir = mkdtempSync(join(tmpdir(), 'sw-token-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, "receivers:\n  otlp_http: { bearer_token: '' }\n");
    const fromFile = await runCli(['validate', '--config', config], { env });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('receivers.otlp_http.bearer_token must be a non-empty token without spaces');
    const run = await runCli(['run', '--http-listen', '127.0.0.1:0', '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0'], {
      env: { ...env, SECRETWATCH_TOKEN: '   ' },
    });
    expect(run.code).toBe(2);
  });

  it('says at start when a receiver takes requests without a token', async () => {
    const sidecar = await startSidecar(['--state-dir', mkdtempSync(join(tmpdir(), 'sw-token-'))], {});
    try {
      const lines = sidecar.logs.filter((l) => l.receiver !== undefined);
      expect(lines.map((l) => [l.receiver, l.bearer_token_required, l.level])).toEqual([
        ['otlp-http', false, 40],
        ['otlp-grpc', false, 40],
      ]);
    } finally {
      sidecar.proc.kill('SIGKILL');
    }
  });
});
