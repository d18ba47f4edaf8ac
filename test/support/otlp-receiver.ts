import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import {
  anyValueToJs,
  attributesToJs,
  countLogRecords,
  decodeExportLogsRequest,
  encodeExportLogsResponse,
  type ExportLogsRequest,
  type LogRecord,
  type OtlpEncoding,
} from '../../src/otlp/codec.js';

/**
 * A real OTLP logs receiver for tests, on 127.0.0.1 only: OTLP/HTTP (`POST /v1/logs`, protobuf or
 * JSON, optionally gzip) and OTLP/gRPC (`LogsService/Export`). It decodes every request with the
 * project's codec and keeps the log records of the requests it accepted.
 *
 * Modes: `ok` accepts; `unavailable` answers HTTP 503 / gRPC UNAVAILABLE (retryable);
 * `throttled` answers HTTP 429 / gRPC RESOURCE_EXHAUSTED (retryable, back off); `hold` keeps the request unanswered until `release()` (an export in flight).
 * `stop()` closes both ports (clients then get connection refused), `restart()` reopens the same ones.
 */
export type Transport = 'http/protobuf' | 'http/json' | 'grpc';
export type ReceiverMode = 'ok' | 'unavailable' | 'throttled' | 'hold';

export interface ReceivedLog {
  transport: Transport;
  resource: Record<string, unknown>;
  scope: { name: string; version: string };
  record: LogRecord;
  attributes: Record<string, unknown>;
  body: unknown;
}

export interface ReceivedRequest {
  transport: Transport;
  path: string;
  headers: Record<string, string>;
  contentEncoding: string | undefined;
  records: number;
  outcome: 'accepted' | 'unavailable' | 'throttled' | 'held' | 'released-failed';
}

const GRPC_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const identity = (b: Buffer): Buffer => b;
const logsService: grpc.ServiceDefinition = {
  export: {
    path: GRPC_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function flatten(request: ExportLogsRequest, transport: Transport): ReceivedLog[] {
  const out: ReceivedLog[] = [];
  for (const rl of request.resourceLogs) {
    const resource = rl.resource === undefined ? {} : attributesToJs(rl.resource.attributes);
    for (const sl of rl.scopeLogs) {
      const scope = { name: sl.scope?.name ?? '', version: sl.scope?.version ?? '' };
      for (const record of sl.logRecords) {
        out.push({
          transport,
          resource: { ...resource },
          scope,
          record,
          attributes: { ...attributesToJs(record.attributes) },
          body: record.body === undefined ? undefined : anyValueToJs(record.body),
        });
      }
    }
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class OtlpTestReceiver {
  readonly logs: ReceivedLog[] = [];
  readonly requests: ReceivedRequest[] = [];
  mode: ReceiverMode = 'ok';
  private held: ((accept: boolean) => void)[] = [];
  private http: Server | undefined;
  private grpcServer: grpc.Server | undefined;
  private httpPort = 0;
  private grpcPort = 0;

  static async start(): Promise<OtlpTestReceiver> {
    const r = new OtlpTestReceiver();
    await r.listen();
    return r;
  }

  /** `http://127.0.0.1:PORT` (no path). */
  get httpBase(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get httpUrl(): string {
    return `${this.httpBase}/v1/logs`;
  }

  get grpcUrl(): string {
    return `http://127.0.0.1:${this.grpcPort}`;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** `secretwatch.alert.id` of every accepted record. */
  alertIds(): Set<string> {
    return new Set(this.logs.map((l) => String(l.attributes['secretwatch.alert.id'])));
  }

  /** Answers the held requests: accepted (records kept) or 503 / UNAVAILABLE. */
  release(accept: boolean): void {
    const held = this.held;
    this.held = [];
    for (const respond of held) respond(accept);
  }

  async waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Closes both ports and drops open connections: clients get connection refused until restart(). */
  async stop(): Promise<void> {
    this.release(false);
    const http = this.http;
    const grpcServer = this.grpcServer;
    this.http = undefined;
    this.grpcServer = undefined;
    if (http !== undefined) {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    }
    grpcServer?.forceShutdown();
  }

  /** Listens again on the same two ports. */
  async restart(): Promise<void> {
    await this.listen();
  }

  private handle(
    transport: Transport,
    path: string,
    headers: Record<string, string>,
    contentEncoding: string | undefined,
    request: ExportLogsRequest,
    respond: (accepted: boolean | 'throttled') => void,
  ): void {
    const entry: ReceivedRequest = { transport, path, headers, contentEncoding, records: countLogRecords(request), outcome: 'accepted' };
    this.requests.push(entry);
    const finish = (accept: boolean): void => {
      if (accept) this.logs.push(...flatten(request, transport));
      respond(accept);
    };
    if (this.mode === 'unavailable') {
      entry.outcome = 'unavailable';
      respond(false);
    } else if (this.mode === 'throttled') {
      entry.outcome = 'throttled';
      respond('throttled');
    } else if (this.mode === 'hold') {
      entry.outcome = 'held';
      this.held.push((accept) => {
        entry.outcome = accept ? 'accepted' : 'released-failed';
        finish(accept);
      });
    } else finish(true);
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'POST' || req.url !== '/v1/logs') {
        res.writeHead(404).end();
        return;
      }
      const raw = await readBody(req);
      const contentEncoding = req.headers['content-encoding'];
      const bytes = contentEncoding === 'gzip' ? gunzipSync(raw) : raw;
      const encoding: OtlpEncoding = (req.headers['content-type'] ?? '').startsWith('application/json') ? 'json' : 'protobuf';
      const request = decodeExportLogsRequest(bytes, encoding);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      this.handle(encoding === 'json' ? 'http/json' : 'http/protobuf', req.url, headers, contentEncoding, request, (accepted) => {
        if (res.destroyed) return;
        if (accepted === 'throttled') {
          res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '0' }).end('throttled');
          return;
        }
        if (!accepted) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
          return;
        }
        const body = encodeExportLogsResponse(undefined, encoding);
        res.writeHead(200, { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' }).end(body);
      });
    } catch (err) {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end((err as Error).message);
    }
  }

  private async listen(): Promise<void> {
    const http = createServer((req, res) => void this.onHttp(req, res));
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.httpPort, '127.0.0.1', () => resolve());
    });
    this.httpPort = (http.address() as AddressInfo).port;
    this.http = http;

    const server = new grpc.Server();
    server.addService(logsService, {
      export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        let request: ExportLogsRequest;
        try {
          request = decodeExportLogsRequest(call.request, 'protobuf');
        } catch (err) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: (err as Error).message });
          return;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k] = String(v);
        this.handle('grpc', GRPC_PATH, headers, headers['grpc-encoding'], request, (accepted) => {
          if (accepted === 'throttled') callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'throttled' });
          else if (accepted) callback(null, Buffer.from(encodeExportLogsResponse(undefined, 'protobuf')));
          else callback({ code: grpc.status.UNAVAILABLE, details: 'unavailable' });
        });
      },
    });
    this.grpcPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.grpcPort}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.grpcServer = server;
  }
}
