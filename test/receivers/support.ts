import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { IngestBatch } from '../../src/receivers/consumer.js';
import { withoutRaw } from '../support/collect.js';

/** Shared helpers for the receiver tests: fixtures, consumers, a raw HTTP client, an SDK pipeline. */

const root = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function fixtureText(path: string): string {
  return readFileSync(root + path, 'utf8');
}

export function fixtureJson(path: string): unknown {
  return JSON.parse(fixtureText(path)) as unknown;
}

/** The `events` of a golden `.expected.json`. */
export function goldenEvents(path: string): unknown[] {
  return (fixtureJson(path) as { events: unknown[] }).events;
}

/** Events as golden files write them (no `raw`), for exact comparison. */
export function plain(events: readonly SecretAccessEvent[]): unknown[] {
  return JSON.parse(JSON.stringify(events.map(withoutRaw))) as unknown[];
}

export interface Collector {
  batches: IngestBatch[];
  consumer: (batch: IngestBatch) => Promise<void>;
  events(): SecretAccessEvent[];
}

export function collector(): Collector {
  const batches: IngestBatch[] = [];
  return {
    batches,
    consumer: (batch) => {
      batches.push(batch);
      return Promise.resolve();
    },
    events: () => batches.flatMap((b) => b.events),
  };
}

/** A consumer that holds every batch until `open()`: requests stay in flight meanwhile. */
export function gate(): Collector & { open(): void; waiting(): number } {
  const inner = collector();
  let release: () => void = () => undefined;
  let opened = false;
  let waiting = 0;
  const opening = new Promise<void>((resolve) => (release = resolve));
  return {
    ...inner,
    consumer: async (batch) => {
      waiting++;
      if (!opened) await opening;
      waiting--;
      return inner.consumer(batch);
    },
    open: () => {
      opened = true;
      release();
    },
    waiting: () => waiting,
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The client side port of the connection: equal ports, same connection (keep-alive survived). */
  localPort: number | undefined;
}

/** One socket for every raw request, so a test shows that refusals leave the connection usable. */
export const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

export function post(port: number, body: Uint8Array | string, headers: Record<string, string>, options: { path?: string; method?: string; agent?: Agent } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: options.path ?? '/v1/logs', method: options.method ?? 'POST', headers, agent: options.agent ?? keepAlive },
      (res) => {
        const localPort = res.socket.localPort;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), localPort }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * An OTel SDK LoggerProvider (0.223 API) in front of a real exporter. Simple: one request per emit;
 * batch: every record emitted before `provider.forceFlush()` in one request.
 */
export function sdkPipeline(
  exporter: LogRecordExporter,
  mode: 'simple' | 'batch' = 'simple',
): { provider: LoggerProvider; emit: (body: LogBody, attributes?: Record<string, string>) => void } {
  const processor =
    mode === 'simple'
      ? new SimpleLogRecordProcessor({ exporter })
      : new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 60_000, maxExportBatchSize: 512 });
  const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'otelcol-contrib' }), processors: [processor] });
  const logger = provider.getLogger('secretwatch-test');
  return {
    provider,
    emit: (body, attributes = {}) => logger.emit({ body, attributes, timestamp: Date.UTC(2024, 6, 31, 12, 36, 52) }),
  };
}

export type LogBody = Parameters<ReturnType<LoggerProvider['getLogger']>['emit']>[0]['body'];

/** Resolves once `condition()` holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
