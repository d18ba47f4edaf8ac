import { Metadata, status } from '@grpc/grpc-js';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { otlpLogsTypes } from '../../src/otlp/proto-root.js';
import { decodeRpcStatus } from '../../src/otlp/rpc-status.js';
import { OtlpGrpcReceiver } from '../../src/receivers/otlp-grpc/receiver.js';
import { grpcExportRaw, type RawGrpcResult } from '../support/grpc-raw.js';
import { deeplyNestedProtobuf, jsonRequest, protobufRequest, stringRecord } from '../otlp/payloads.js';
import { collector, fixtureJson, fixtureText, gate, goldenEvents, plain, sdkPipeline, waitFor, type LogBody } from './support.js';

const CLOUDTRAIL = fixtureText('golden/aws/getsecretvalue-minimal.json');
const GCP_ENTRY = fixtureJson('golden/gcp/access-secret-version-success.json') as LogBody;
const AZURE_BATCH = fixtureText('golden/azure/records-mix.json');
const TOKEN = 'grpc-t0ken';
const MAX_REQUEST = 4 * 1024 * 1024;
const MAX_INFLATED = 1024 * 1024;

function exportRaw(port: number, bytes: Uint8Array, token: string | null = TOKEN): Promise<RawGrpcResult> {
  return grpcExportRaw(port, bytes, token);
}

const good = (n = 1): Uint8Array => protobufRequest(jsonRequest(Array.from({ length: n }, () => stringRecord(CLOUDTRAIL))));

describe('OTLP/gRPC receiver with the SDK gRPC exporter', () => {
  const sink = collector();
  const receiver = new OtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, { consumer: sink.consumer });
  let port = 0;
  beforeAll(async () => {
    port = await receiver.start();
  });
  afterAll(() => receiver.stop());

  it.each([
    ['plain', {}],
    ['gzip', { compression: 'gzip' as never }],
  ])('%s: CloudTrail string, GCP LogEntry map, Azure batch string arrive normalized', async (_name, options) => {
    const { provider, emit } = sdkPipeline(new GrpcExporter({ url: `http://127.0.0.1:${port}`, ...options }));
    const from = sink.batches.length;
    for (const [i, body] of [CLOUDTRAIL, GCP_ENTRY, AZURE_BATCH].entries()) {
      emit(body);
      await waitFor(() => sink.batches.length > from + i);
    }
    await provider.shutdown();
    const batches = sink.batches.slice(from);
    expect(plain(batches[0]?.events ?? [])).toEqual(goldenEvents('golden/aws/getsecretvalue-minimal.expected.json'));
    expect(plain(batches[1]?.events ?? [])).toEqual(goldenEvents('golden/gcp/access-secret-version-success.expected.json'));
    expect(plain(batches[2]?.events ?? [])).toEqual(goldenEvents('golden/azure/records-mix.expected.json'));
    expect(batches[2]?.unrelated).toBe(2);
    expect(batches.flatMap((b) => b.events.map((e) => e.raw.source))).toEqual(['otlp-grpc', 'otlp-grpc', 'otlp-grpc']);
  });
});

describe('OTLP/gRPC receiver refusals', () => {
  const sink = collector();
  const errors: Error[] = [];
  const receiver = new OtlpGrpcReceiver(
    { endpoint: '127.0.0.1:0', bearer_token: TOKEN, max_request_bytes: MAX_REQUEST, max_decompressed_bytes: MAX_INFLATED },
    { consumer: sink.consumer, onError: (e) => errors.push(e) },
  );
  let port = 0;
  beforeAll(async () => {
    port = await receiver.start();
  });
  afterAll(() => receiver.stop());

  async function expectGoodRequestWorks(): Promise<void> {
    const before = sink.events().length;
    const { error, response } = await exportRaw(port, good());
    expect(error).toBeNull();
    expect(response?.length).toBe(0);
    expect(sink.events().length).toBe(before + 1);
  }

  it('accepts the exporter with the token in metadata, refuses it without', async () => {
    for (const token of [undefined, 'nope', TOKEN]) {
      const metadata = new Metadata();
      if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
      const { provider, emit } = sdkPipeline(new GrpcExporter({ url: `http://127.0.0.1:${port}`, metadata }));
      const requests = receiver.stats.requests;
      emit(CLOUDTRAIL);
      await waitFor(() => receiver.stats.requests > requests);
      await provider.shutdown();
    }
    expect(receiver.stats.unauthorized).toBe(2);
    expect(plain(sink.events())).toEqual(goldenEvents('golden/aws/getsecretvalue-minimal.expected.json'));
  });

  it('missing token: UNAUTHENTICATED', async () => {
    const { error } = await exportRaw(port, good(), null);
    expect(error?.code).toBe(status.UNAUTHENTICATED);
    expect(error?.details).toBe('missing or invalid bearer token (send metadata "authorization: Bearer <token>")');
    await expectGoodRequestWorks();
  });

  it('garbage protobuf: INVALID_ARGUMENT with the decoder message', async () => {
    const { error } = await exportRaw(port, Buffer.from('not a protobuf at all'));
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toBe('body is not a protobuf ExportLogsServiceRequest: invalid wire type 6 at offset 1');
    await expectGoodRequestWorks();
  });

  it('100,000 levels of nesting: INVALID_ARGUMENT', async () => {
    const { error } = await exportRaw(port, deeplyNestedProtobuf(100_000));
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toBe('body is not a protobuf ExportLogsServiceRequest: messages nested too deep (log bodies may nest at most 64 AnyValue levels)');
    await expectGoodRequestWorks();
  });

  it('oversized message: RESOURCE_EXHAUSTED from the max receive length, without RetryInfo', async () => {
    const { error } = await exportRaw(port, protobufRequest(jsonRequest([stringRecord('x'.repeat(MAX_REQUEST))])));
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toMatch(/^Received message larger than max \(\d+ vs 4194304\)$/);
    expect(error?.metadata.get('grpc-status-details-bin')).toEqual([]);
    expect(receiver.stats.tooLarge).toBe(1); // counted like the HTTP receiver's 413
    await expectGoodRequestWorks();
  });

  it('gzip bombs in log bodies: INVALID_ARGUMENT once the request inflates past max_decompressed_bytes', async () => {
    const bomb = gzipSync(Buffer.alloc(MAX_INFLATED / 4, 0x20)).toString('base64');
    const before = { tooLarge: receiver.stats.tooLarge, events: sink.events().length };
    // Each body alone fits; the eight of them together inflate to twice the limit.
    const { error } = await exportRaw(port, protobufRequest(jsonRequest([stringRecord(CLOUDTRAIL), ...Array.from({ length: 8 }, () => ({ body: { bytesValue: bomb } }))])));
    expect(error?.code).toBe(status.INVALID_ARGUMENT);
    expect(error?.details).toBe(`the request inflates to more than max_decompressed_bytes (${MAX_INFLATED}), nested log bodies included`);
    expect(receiver.stats.tooLarge).toBe(before.tooLarge + 1);
    expect(sink.events().length).toBe(before.events); // nothing of a refused request is consumed
    await expectGoodRequestWorks();
  });

  it('partial success in the response', async () => {
    const { error, response } = await exportRaw(port, protobufRequest(jsonRequest([stringRecord(CLOUDTRAIL), { timeUnixNano: '1' }])));
    expect(error).toBeNull();
    const { response: type } = otlpLogsTypes();
    expect(type.toObject(type.decode(response ?? Buffer.alloc(0)), { longs: Number })).toEqual({
      partialSuccess: { rejectedLogRecords: 1, errorMessage: '1 of 2 log records rejected in whole or in part: malformed_record x1 (e.g. OTLP log record has an empty body)' },
    });
  });

  it('counted the refusals and reported no internal error', () => {
    expect(errors).toEqual([]);
    expect(receiver.stats.malformed).toBe(2);
    expect(receiver.stats.unauthorized).toBe(3);
  });
});

describe('OTLP/gRPC receiver overload and lifecycle', () => {
  it('RESOURCE_EXHAUSTED with RetryInfo while records are in flight, then accepts again', async () => {
    const consumer = gate();
    const receiver = new OtlpGrpcReceiver({ endpoint: '127.0.0.1:0', max_records_in_flight: 2, retry_after_seconds: 3 }, { consumer: consumer.consumer });
    const port = await receiver.start();
    const held = exportRaw(port, good(2), null);
    await waitFor(() => consumer.waiting() === 1);

    const { error } = await exportRaw(port, good(1), null);
    expect(error?.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error?.details).toBe('2 log records in flight (limit 2); retry later');
    const details = error?.metadata.get('grpc-status-details-bin')[0] as Buffer;
    expect(decodeRpcStatus(details)).toEqual({ code: status.RESOURCE_EXHAUSTED, message: '2 log records in flight (limit 2); retry later', retryDelayMs: 3000 });

    consumer.open();
    expect((await held).error).toBeNull();
    expect((await exportRaw(port, good(1), null)).error).toBeNull();
    expect(receiver.stats.overloaded).toBe(1);
    await receiver.stop();
  });

  it('consumer failure: UNAVAILABLE with RetryInfo', async () => {
    const receiver = new OtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, { consumer: () => Promise.reject(new Error('disk full')) });
    const port = await receiver.start();
    const { error } = await exportRaw(port, good(), null);
    expect(error?.code).toBe(status.UNAVAILABLE);
    expect(error?.details).toBe('secretwatch could not process the records: disk full');
    expect(decodeRpcStatus(error?.metadata.get('grpc-status-details-bin')[0] as Buffer).retryDelayMs).toBe(1000);
    await receiver.stop();
  });

  it('stop() is safe before start, idempotent, and lets calls in flight finish', async () => {
    const idle = new OtlpGrpcReceiver({}, { consumer: collector().consumer });
    expect(idle.stop()).toBe(idle.stop());
    await idle.stop();
    await expect(idle.start()).rejects.toMatchObject({ code: 'SW_RECEIVER_STATE' });

    const consumer = gate();
    const receiver = new OtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, { consumer: consumer.consumer });
    const port = await receiver.start();
    expect(receiver.address()).toEqual({ host: '127.0.0.1', port });
    const inFlight = exportRaw(port, good(), null);
    await waitFor(() => consumer.waiting() === 1);
    let stopped = false;
    const stopping = receiver.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    consumer.open();
    expect((await inFlight).error).toBeNull();
    await stopping;
    expect(consumer.events().length).toBe(1);
    expect((await exportRaw(port, good(), null)).error?.code).toBe(status.UNAVAILABLE);
  });

  it('cannot listen on a port in use: SW_RECEIVER_LISTEN', async () => {
    const first = new OtlpGrpcReceiver({ endpoint: '127.0.0.1:0' }, { consumer: collector().consumer });
    const port = await first.start();
    const second = new OtlpGrpcReceiver({ endpoint: `127.0.0.1:${port}` }, { consumer: collector().consumer });
    await expect(second.start()).rejects.toMatchObject({ code: 'SW_RECEIVER_LISTEN' });
    await Promise.all([first.stop(), second.stop()]);
  });
});
