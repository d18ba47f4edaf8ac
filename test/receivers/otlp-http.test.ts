import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OtlpHttpReceiver } from '../../src/receivers/otlp-http/receiver.js';
import { decodeAll } from '../support/collect.js';
import { collector, fixtureJson, fixtureText, goldenEvents, plain, sdkPipeline, waitFor, type LogBody } from './support.js';

// What the Collector's receivers put in log bodies: CloudTrail records as strings (awsfirehose,
// CloudWatch Logs encoding), Azure `{"records":[...]}` batches as strings (azure_event_hub raw),
// GCP LogEntry maps (googlecloudpubsub).
const CLOUDTRAIL = fixtureText('golden/aws/getsecretvalue-minimal.json');
const GCP_ENTRY = fixtureJson('golden/gcp/access-secret-version-success.json') as LogBody;
const AZURE_BATCH = fixtureText('golden/azure/records-mix.json');
const STRATUS_AWS = fixtureText('corpus/stratus-red-team__detonation-logs__aws.credential-access.secretsmanager-retrieve-secrets.json');
const STRATUS_GCP = fixtureJson('corpus/stratus-red-team__docs__gcp.credential-access.secretmanager-retrieve-secrets__sample-event.json') as LogBody;

const sink = collector();
const receiver = new OtlpHttpReceiver({ endpoint: '127.0.0.1:0' }, { consumer: sink.consumer });
let port = 0;

beforeAll(async () => {
  port = await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
});

const exporters: [string, () => LogRecordExporter][] = [
  ['exporter-logs-otlp-proto', () => new ProtoExporter({ url: `http://127.0.0.1:${port}/v1/logs` })],
  ['exporter-logs-otlp-proto gzip', () => new ProtoExporter({ url: `http://127.0.0.1:${port}/v1/logs`, compression: 'gzip' as never })],
  ['exporter-logs-otlp-http (JSON)', () => new HttpJsonExporter({ url: `http://127.0.0.1:${port}/v1/logs` })],
];

describe('OTLP/HTTP receiver with the OpenTelemetry SDK exporters', () => {
  it.each(exporters)('%s: CloudTrail string, GCP LogEntry map, Azure batch string arrive normalized', async (_name, make) => {
    const { provider, emit } = sdkPipeline(make());
    const from = sink.batches.length;
    const requestsBefore = receiver.stats.requests;

    // One record per request, each awaited at the consumer, so batches come in emit order.
    for (const [i, body] of [CLOUDTRAIL, GCP_ENTRY, AZURE_BATCH].entries()) {
      emit(body);
      await waitFor(() => sink.batches.length > from + i);
    }
    await provider.shutdown();

    const batches = sink.batches.slice(from);
    expect(batches.map((b) => [b.logRecords, b.events.length, b.unrelated, b.rejections.length])).toEqual([
      [1, 1, 0, 0],
      [1, 1, 0, 0],
      [1, 1, 2, 0],
    ]);
    expect(plain(batches[0]?.events ?? [])).toEqual(goldenEvents('golden/aws/getsecretvalue-minimal.expected.json'));
    expect(plain(batches[1]?.events ?? [])).toEqual(goldenEvents('golden/gcp/access-secret-version-success.expected.json'));
    expect(plain(batches[2]?.events ?? [])).toEqual(goldenEvents('golden/azure/records-mix.expected.json'));
    const raws = batches.flatMap((b) => b.events.map((e) => e.raw));
    expect(raws.map((r) => [r.source, r.format])).toEqual([
      ['otlp-http', 'cloudtrail-record'],
      ['otlp-http', 'gcp_logentry'],
      ['otlp-http', 'azure-records>keyvault-auditevent'],
    ]);
    // The receiver numbers records across requests: indexes only grow.
    const indexes = raws.map((r) => r.index);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    expect(new Set(indexes).size).toBe(3);
    expect(receiver.stats.requests - requestsBefore).toBe(3);
  });

  it.each(exporters)('%s: corpus records decode exactly as they do from a file', async (_name, make) => {
    const { provider, emit } = sdkPipeline(make());
    const from = sink.batches.length;
    emit(STRATUS_AWS);
    await waitFor(() => sink.batches.length > from);
    emit(STRATUS_GCP);
    await waitFor(() => sink.batches.length > from + 1);
    await provider.shutdown();

    const batches = sink.batches.slice(from);
    const direct = [decodeAll(STRATUS_AWS), decodeAll(STRATUS_GCP)];
    expect(batches.length).toBe(2);
    for (const [i, batch] of batches.entries()) {
      expect(batch.events.length).toBeGreaterThan(0);
      expect(plain(batch.events)).toEqual(plain(direct[i]?.events ?? []));
      expect(batch.unrelated).toBe(direct[i]?.unrelated.length);
    }
  });

  it('batches many records into one request and reports rejected ones', async () => {
    const { provider, emit } = sdkPipeline(new ProtoExporter({ url: `http://127.0.0.1:${port}/v1/logs` }), 'batch');
    const from = sink.batches.length;
    const rejectedBefore = receiver.stats.rejectedRecords;
    emit(CLOUDTRAIL);
    emit('this is not an audit record');
    emit(GCP_ENTRY);
    emit({ hello: 'world' });
    await provider.forceFlush();
    await provider.shutdown();

    const batches = sink.batches.slice(from);
    expect(batches.length).toBe(1);
    expect(batches[0]?.logRecords).toBe(4);
    expect(batches[0]?.events.map((e) => e.provider)).toEqual(['aws', 'gcp']);
    expect(batches[0]?.rejections.map((r) => [r.reason, r.source])).toEqual([
      ['invalid_json', 'otlp-http'],
      ['unknown_format', 'otlp-http'],
    ]);
    expect(receiver.stats.rejectedRecords - rejectedBefore).toBe(2);
  });
});

describe('OTLP/HTTP receiver with a bearer token', () => {
  const guarded = collector();
  const secured = new OtlpHttpReceiver({ endpoint: '127.0.0.1:0', bearer_token: 's3cret-t0ken' }, { consumer: guarded.consumer });
  let securedPort = 0;
  beforeAll(async () => {
    securedPort = await secured.start();
  });
  afterAll(() => secured.stop());

  it('accepts the exporter that sends the token and refuses the one that does not', async () => {
    for (const token of ['wrong', 's3cret-t0ken']) {
      const exporter = new ProtoExporter({ url: `http://127.0.0.1:${securedPort}/v1/logs`, headers: { Authorization: `Bearer ${token}` } });
      const { provider, emit } = sdkPipeline(exporter);
      emit(CLOUDTRAIL);
      await waitFor(() => secured.stats.requests > (token === 'wrong' ? 0 : 1) && guarded.batches.length === (token === 'wrong' ? 0 : 1));
      await provider.shutdown();
    }
    expect(secured.stats.unauthorized).toBe(1);
    expect(plain(guarded.events())).toEqual(goldenEvents('golden/aws/getsecretvalue-minimal.expected.json'));
  });
});
