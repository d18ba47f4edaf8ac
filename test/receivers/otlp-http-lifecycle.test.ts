import { Agent } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { SecretwatchError } from '../../src/errors/codes.js';
import { decodeRpcStatus } from '../../src/otlp/rpc-status.js';
import { consumerOverloaded } from '../../src/receivers/consumer.js';
import { Intake } from '../../src/receivers/intake.js';
import { resolveOtlpHttpConfig } from '../../src/receivers/otlp-http/config.js';
import { OtlpHttpReceiver } from '../../src/receivers/otlp-http/receiver.js';
import { jsonRequest, protobufRequest, stringRecord } from '../otlp/payloads.js';
import { collector, fixtureText, gate, post, sdkPipeline, waitFor } from './support.js';

const CLOUDTRAIL = fixtureText('golden/aws/getsecretvalue-minimal.json');
const PB = { 'content-type': 'application/x-protobuf' };
const records = (n: number): Uint8Array => protobufRequest(jsonRequest(Array.from({ length: n }, () => stringRecord(CLOUDTRAIL))));
const started: OtlpHttpReceiver[] = [];

async function startReceiver(...args: ConstructorParameters<typeof OtlpHttpReceiver>): Promise<[OtlpHttpReceiver, number]> {
  const receiver = new OtlpHttpReceiver({ endpoint: '127.0.0.1:0', ...args[0] }, args[1]);
  started.push(receiver);
  return [receiver, await receiver.start()];
}

afterAll(async () => {
  await Promise.all(started.map((r) => r.stop()));
});

describe('OTLP/HTTP receiver overload', () => {
  it('refuses with 429 and Retry-After while records are in flight, then accepts again', async () => {
    const consumer = gate();
    const [receiver, port] = await startReceiver({ max_records_in_flight: 3, retry_after_seconds: 2 }, { consumer: consumer.consumer });
    const fresh = (): Agent => new Agent({ keepAlive: false });

    const held = post(port, records(2), PB, { agent: fresh() });
    await waitFor(() => consumer.waiting() === 1);

    // 2 in flight, 2 more would pass the bound of 3: refused after decoding.
    const afterDecode = await post(port, records(2), PB, { agent: fresh() });
    expect(afterDecode.status).toBe(429);
    expect(afterDecode.headers['retry-after']).toBe('2');
    expect(decodeRpcStatus(afterDecode.body)).toEqual({ code: 8, message: '2 log records in flight (limit 3); retry later' });

    // 1 more fits.
    const fits = post(port, records(1), PB, { agent: fresh() });
    await waitFor(() => consumer.waiting() === 2);

    // Full: refused before the body is read.
    const beforeBody = await post(port, records(1), PB, { agent: fresh() });
    expect(beforeBody.status).toBe(429);
    expect(decodeRpcStatus(beforeBody.body).message).toBe('3 log records in flight (limit 3); retry later');

    consumer.open();
    expect((await held).status).toBe(200);
    expect((await fits).status).toBe(200);
    expect((await post(port, records(2), PB, { agent: fresh() })).status).toBe(200);
    expect(receiver.stats.overloaded).toBe(2);
    expect(consumer.events().length).toBe(5);
  });

  it('a request larger than the bound is admitted when nothing else is in flight', async () => {
    const sink = collector();
    const [, port] = await startReceiver({ max_records_in_flight: 2 }, { consumer: sink.consumer });
    expect((await post(port, records(5), PB)).status).toBe(200);
    expect(sink.events().length).toBe(5);
  });

  it('the SDK exporter retries after 429 and its records arrive once the consumer catches up', async () => {
    const consumer = gate();
    const [receiver, port] = await startReceiver({ max_records_in_flight: 1, retry_after_seconds: 1 }, { consumer: consumer.consumer });
    const held = post(port, records(1), PB, { agent: new Agent() });
    await waitFor(() => consumer.waiting() === 1);

    const { provider, emit } = sdkPipeline(new ProtoExporter({ url: `http://127.0.0.1:${port}/v1/logs` }));
    emit(CLOUDTRAIL);
    await waitFor(() => receiver.stats.overloaded === 1);
    consumer.open();
    await held;
    await waitFor(() => consumer.events().length === 2, 10_000);
    await provider.shutdown();
    expect(receiver.stats.overloaded).toBe(1);
    expect(receiver.stats.requests).toBe(3);
  });

  it('one Intake shared by two receivers bounds their sum', async () => {
    const consumer = gate();
    const intake = new Intake(2);
    const [, portA] = await startReceiver({}, { consumer: consumer.consumer, intake });
    const [b, portB] = await startReceiver({}, { consumer: consumer.consumer, intake });
    const held = post(portA, records(2), PB, { agent: new Agent() });
    await waitFor(() => consumer.waiting() === 1);
    expect((await post(portB, records(1), PB, { agent: new Agent() })).status).toBe(429);
    expect(b.stats.overloaded).toBe(1);
    consumer.open();
    expect((await held).status).toBe(200);
    expect(intake.recordsInFlight).toBe(0);
  });
});

describe('OTLP/HTTP receiver consumer failures', () => {
  it('answers 503 with Retry-After when the consumer fails, 429 when it says it is overloaded', async () => {
    const errors: Error[] = [];
    let mode: 'fail' | 'busy' | 'ok' = 'fail';
    const [receiver, port] = await startReceiver(
      {},
      {
        consumer: () => (mode === 'fail' ? Promise.reject(new Error('disk full')) : mode === 'busy' ? Promise.reject(consumerOverloaded('detector queue full')) : Promise.resolve()),
        onError: (e) => errors.push(e),
      },
    );
    const failed = await post(port, records(1), PB);
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('1');
    expect(decodeRpcStatus(failed.body)).toEqual({ code: 14, message: 'secretwatch could not process the records: disk full' });
    mode = 'busy';
    const busy = await post(port, records(1), PB);
    expect(busy.status).toBe(429);
    expect(decodeRpcStatus(busy.body).message).toBe('detector queue full');
    mode = 'ok';
    expect((await post(port, records(1), PB)).status).toBe(200);
    expect(errors.map((e) => e.message)).toEqual(['disk full']);
    expect([receiver.stats.unavailable, receiver.stats.overloaded]).toEqual([1, 1]);
  });
});

describe('OTLP/HTTP receiver lifecycle', () => {
  it('stop() is safe before start and idempotent', async () => {
    const receiver = new OtlpHttpReceiver({}, { consumer: collector().consumer });
    const first = receiver.stop();
    expect(receiver.stop()).toBe(first);
    await first;
    await expect(receiver.start()).rejects.toMatchObject({ code: 'SW_RECEIVER_STATE' });
  });

  it('binds 127.0.0.1 by default and reports the bound port', async () => {
    // Not the Collector's 4318: both run in one pod.
    expect(resolveOtlpHttpConfig({}).endpoint).toBe('127.0.0.1:14318');
    const [receiver, port] = await startReceiver({}, { consumer: collector().consumer });
    expect(port).toBeGreaterThan(0);
    expect(receiver.address()).toEqual({ host: '127.0.0.1', port });
  });

  it('cannot listen on a port in use: SW_RECEIVER_LISTEN', async () => {
    const [, port] = await startReceiver({}, { consumer: collector().consumer });
    const second = new OtlpHttpReceiver({ endpoint: `127.0.0.1:${port}` }, { consumer: collector().consumer });
    const err = (await second.start().catch((e: unknown) => e)) as SecretwatchError;
    expect(err.code).toBe('SW_RECEIVER_LISTEN');
    expect(err.message).toBe(`otlp-http receiver cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    await second.stop();
  });

  it('stop() refuses new connections, finishes requests in flight, then resolves', async () => {
    const consumer = gate();
    const receiver = new OtlpHttpReceiver({ endpoint: '127.0.0.1:0' }, { consumer: consumer.consumer });
    const port = await receiver.start();
    const inFlight = post(port, records(1), PB, { agent: new Agent({ keepAlive: true }) });
    await waitFor(() => consumer.waiting() === 1);

    let stopped = false;
    const stopping = receiver.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    await expect(post(port, records(1), PB, { agent: new Agent() })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    consumer.open();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    await stopping;
    expect(consumer.events().length).toBe(1);
  });

  it('stop() gives up on stalled requests after shutdown_timeout_ms', async () => {
    const consumer = gate();
    const receiver = new OtlpHttpReceiver({ endpoint: '127.0.0.1:0', shutdown_timeout_ms: 100 }, { consumer: consumer.consumer });
    const port = await receiver.start();
    const inFlight = post(port, records(1), PB, { agent: new Agent() }).catch((e: unknown) => e);
    await waitFor(() => consumer.waiting() === 1);
    const t0 = Date.now();
    await receiver.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(await inFlight).toMatchObject({ code: 'ECONNRESET' });
    consumer.open();
  });
});

describe('OTLP/HTTP receiver configuration', () => {
  it('names the key in every error', () => {
    const bad = (c: object): string => {
      try {
        resolveOtlpHttpConfig(c);
      } catch (err) {
        expect((err as SecretwatchError).code).toBe('SW_CONFIG_INVALID');
        return (err as Error).message;
      }
      throw new Error('expected SW_CONFIG_INVALID');
    };
    expect(bad({ max_request_bytes: 0 })).toBe('receivers.otlp_http.max_request_bytes must be a positive integer, got 0');
    expect(bad({ endpoint: '4318' })).toBe('receivers.otlp_http.endpoint must be "host:port" (e.g. "127.0.0.1:4318", "[::1]:4317"), got "4318"');
    expect(bad({ bearer_token: '' })).toMatch(/^receivers\.otlp_http\.bearer_token must be a non-empty token/);
    expect(bad({ max_body_bytes: 5 })).toMatch(/^receivers\.otlp_http\.max_body_bytes is not a known key \(known: endpoint, max_request_bytes, /);
  });
});
