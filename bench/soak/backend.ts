import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { anyValueToJs, decodeExportLogsRequest, encodeExportLogsResponse } from '../../src/otlp/codec.js';
import { encodeRpcStatus } from '../../src/otlp/rpc-status.js';

/**
 * The soak's OTLP backend on 127.0.0.1 (OTLP/HTTP protobuf, as the sidecar exports): it counts the
 * `secretwatch.alert.id` of every alert in requests it accepted, and answers 503 while `down`.
 */
export class SoakBackend {
  /** Deliveries per alert id: more than one is a duplicate. */
  readonly delivered = new Map<string, number>();
  down = false;
  refused = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<SoakBackend> {
    let backend: SoakBackend | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => backend?.handle(Buffer.concat(chunks), req.headers['content-encoding'] === 'gzip', res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    backend = new SoakBackend(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`);
    return backend;
  }

  get duplicates(): number {
    let n = 0;
    for (const count of this.delivered.values()) n += count - 1;
    return n;
  }

  private handle(body: Buffer, gzip: boolean, res: ServerResponse): void {
    if (this.down) {
      this.refused++;
      res.writeHead(503, { 'content-type': 'application/x-protobuf', 'retry-after': '1' }).end(encodeRpcStatus(14, 'soak outage', 'protobuf'));
      return;
    }
    const request = decodeExportLogsRequest(gzip ? gunzipSync(body) : body, 'protobuf');
    for (const rl of request.resourceLogs) {
      for (const sl of rl.scopeLogs) {
        for (const record of sl.logRecords) {
          const id = record.attributes['secretwatch.alert.id'];
          const value = id === undefined ? undefined : anyValueToJs(id);
          if (typeof value === 'string') this.delivered.set(value, (this.delivered.get(value) ?? 0) + 1);
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(encodeExportLogsResponse(undefined, 'protobuf'));
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
