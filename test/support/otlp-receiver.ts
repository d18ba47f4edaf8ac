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
 * `hold` keeps the request unanswered until `release()` (an export in flight).
 * `stop()` closes both ports (clients then get connection refused), `restart()` reopens the same ones.
 *
 * Per request, `answer` (when set) decides from the decoded records: a status such as 400, 413 or
 * 503 refuses that request (gRPC gets the matching code, see GRPC_ANSWER), `undefined` leaves it
 * to the mode. `max_request_bytes` (start option) refuses larger bodies as a real backend does:
 * HTTP 413, and for gRPC the server's own RESOURCE_EXHAUSTED "message larger than max".
 */
export type Transport = 'http/protobuf' | 'http/json' | 'grpc';
export type ReceiverMode = 'ok' | 'unavailable' | 'hold';
/** HTTP statuses a test can make the backend answer. */
export type RefusalStatus = 400 | 401 | 403 | 404 | 408 | 413 | 429 | 500 | 503;
export type Answer = (logs: readonly ReceivedLog[]) => RefusalStatus | undefined;

/** What a gRPC backend answers instead of each HTTP status (the OTLP specification's pairs). */
const GRPC_ANSWER: Record<RefusalStatus, { code: grpc.status; details: string }> = {
  400: { code: grpc.status.INVALID_ARGUMENT, details: 'invalid log record' },
  401: { code: grpc.status.UNAUTHENTICATED, details: 'unauthenticated' },
  403: { code: grpc.status.PERMISSION_DENIED, details: 'permission denied' },
  404: { code: grpc.status.NOT_FOUND, details: 'not found' },
  408: { code: grpc.status.DEADLINE_EXCEEDED, details: 'deadline exceeded' },
  413: { code: grpc.status.RESOURCE_EXHAUSTED, details: 'Received message larger than max' },
  429: { code: grpc.status.RESOURCE_EXHAUSTED, details: 'too many requests' },
  500: { code: grpc.status.INTERNAL, details: 'internal error' },
  503: { code: grpc.status.UNAVAILABLE, details: 'unavailable' },
};

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
  /** Body bytes as received (HTTP only; 0 for gRPC). */
  bytes: number;
  outcome: 'accepted' | 'unavailable' | 'held' | 'released-failed' | 'refused';
  /** The status of a refused request. */
  status?: RefusalStatus;
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
  answer: Answer | undefined;
  private held: ((status: 200 | RefusalStatus) => void)[] = [];
  private http: Server | undefined;
  private grpcServer: grpc.Server | undefined;
  private httpPort = 0;
  private grpcPort = 0;

  private constructor(private readonly maxRequestBytes: number | undefined) {}

  static async start(options: { max_request_bytes?: number } = {}): Promise<OtlpTestReceiver> {
    const r = new OtlpTestReceiver(options.max_request_bytes);
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
    for (const respond of held) respond(accept ? 200 : 503);
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
    bytes: number,
    respond: (status: 200 | RefusalStatus) => void,
  ): void {
    const entry: ReceivedRequest = { transport, path, headers, contentEncoding, records: countLogRecords(request), bytes, outcome: 'accepted' };
    this.requests.push(entry);
    const logs = flatten(request, transport);
    const refusal = this.answer?.(logs);
    const finish = (status: 200 | RefusalStatus): void => {
      if (status === 200) this.logs.push(...logs);
      respond(status);
    };
    if (refusal !== undefined) {
      entry.outcome = 'refused';
      entry.status = refusal;
      respond(refusal);
    } else if (this.mode === 'unavailable') {
      entry.outcome = 'unavailable';
      respond(503);
    } else if (this.mode === 'hold') {
      entry.outcome = 'held';
      this.held.push((status) => {
        entry.outcome = status === 200 ? 'accepted' : 'released-failed';
        finish(status);
      });
    } else finish(200);
  }

  /** Records the refusal of a body over `max_request_bytes` (it is not decoded). */
  private refuseTooLarge(transport: Transport, path: string, bytes: number): void {
    this.requests.push({ transport, path, headers: {}, contentEncoding: undefined, records: 0, bytes, outcome: 'refused', status: 413 });
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'POST' || req.url !== '/v1/logs') {
        res.writeHead(404).end();
        return;
      }
      const raw = await readBody(req);
      const encoding: OtlpEncoding = (req.headers['content-type'] ?? '').startsWith('application/json') ? 'json' : 'protobuf';
      if (this.maxRequestBytes !== undefined && raw.length > this.maxRequestBytes) {
        this.refuseTooLarge(encoding === 'json' ? 'http/json' : 'http/protobuf', req.url, raw.length);
        res.writeHead(413, { 'content-type': 'text/plain' }).end(`request body over ${this.maxRequestBytes} bytes`);
        return;
      }
      const contentEncoding = req.headers['content-encoding'];
      const bytes = contentEncoding === 'gzip' ? gunzipSync(raw) : raw;
      const request = decodeExportLogsRequest(bytes, encoding);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      this.handle(encoding === 'json' ? 'http/json' : 'http/protobuf', req.url, headers, contentEncoding, request, raw.length, (status) => {
        if (res.destroyed) return;
        if (status !== 200) {
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 503 ? 'unavailable' : `refused with ${status}`);
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

    const server = new grpc.Server(this.maxRequestBytes === undefined ? {} : { 'grpc.max_receive_message_length': this.maxRequestBytes });
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
        this.handle('grpc', GRPC_PATH, headers, headers['grpc-encoding'], request, 0, (status) => {
          if (status === 200) callback(null, Buffer.from(encodeExportLogsResponse(undefined, 'protobuf')));
          else callback(GRPC_ANSWER[status]);
        });
      },
    });
    this.grpcPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.grpcPort}`, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.grpcServer = server;
  }
}
