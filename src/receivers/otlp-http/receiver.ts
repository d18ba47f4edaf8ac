import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretwatchError } from '../../errors/codes.js';
import { RpcCode } from '../../otlp/rpc-status.js';
import type { Endpoint } from '../endpoint.js';
import { listenEndpoint, receiverParts, type ReceiverState } from '../receiver-parts.js';
import type { ReceiverStats } from '../receiver-stats.js';
import type { Receiver, ReceiverDeps } from '../receiver.js';
import { resolveOtlpHttpConfig, type OtlpHttpReceiverConfig } from './config.js';
import { handleLogsRequest, type HttpHandlerContext } from './handler.js';
import { sendStatus } from './respond.js';

/** Longest time to receive one whole request; unread bodies of refused requests are drained within it. */
const REQUEST_TIMEOUT_MS = 60_000;


/** OTLP/HTTP logs receiver: `POST /v1/logs`, protobuf or JSON, optionally gzip. */
export class OtlpHttpReceiver implements Receiver {
  readonly name = 'otlp-http';
  readonly stats: ReceiverStats;
  readonly config: OtlpHttpReceiverConfig;
  private readonly ctx: HttpHandlerContext;
  private readonly onError: ((err: Error) => void) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private state: ReceiverState = 'new';
  private server: Server | undefined;
  private listening: Promise<number> | undefined;
  private stopped: Promise<void> | undefined;

  /** `config` is validated here (SW_CONFIG_INVALID naming the key); defaults in OTLP_HTTP_DEFAULTS. */
  constructor(config: Partial<OtlpHttpReceiverConfig>, deps: ReceiverDeps) {
    this.config = resolveOtlpHttpConfig(config);
    const parts = receiverParts(this.name, deps, this.config);
    this.stats = parts.stats;
    this.onError = deps.onError;
    this.ctx = { config: this.config, ...parts, stopping: () => this.state === 'stopping' || this.state === 'stopped' };
  }

  start(): Promise<number> {
    return this.listen(this.config.endpoint);
  }

  listen(address: string): Promise<number> {
    let endpoint: Endpoint;
    try {
      endpoint = listenEndpoint(this.name, this.state, address);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.state = 'starting';
    this.listening = this.bind(endpoint);
    return this.listening;
  }

  /** The bound address once listening. */
  address(): Endpoint | undefined {
    const a = this.server?.address();
    return a !== null && typeof a === 'object' ? { host: (a as AddressInfo).address, port: (a as AddressInfo).port } : undefined;
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async bind(endpoint: Endpoint): Promise<number> {
    const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => this.onRequest(req, res));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(endpoint.port, endpoint.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      this.state = 'stopped';
      const e = err as NodeJS.ErrnoException;
      throw new SecretwatchError('SW_RECEIVER_LISTEN', `${this.name} receiver cannot listen on ${endpoint.host}:${endpoint.port}: ${e.code ?? e.message}`, { cause: err });
    }
    // After start, server errors are reported, never thrown: the sidecar keeps running.
    server.on('error', (err) => this.onError?.(err));
    this.server = server;
    if (this.state === 'starting') this.state = 'listening';
    return (server.address() as AddressInfo).port;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const done: Promise<void> = handleLogsRequest(req, res, this.ctx)
      .catch((err: unknown) => {
        this.onError?.(err instanceof Error ? err : new Error(String(err)));
        if (!res.headersSent) sendStatus(res, 500, RpcCode.INTERNAL, 'internal error', 'json');
        else res.destroy();
      })
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  private async shutdown(): Promise<void> {
    if (this.listening !== undefined) await this.listening.catch(() => undefined);
    const server = this.server;
    if (server === undefined) {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let force: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      force = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, this.config.shutdown_timeout_ms);
    });
    // A stalled consumer must not hold shutdown: past the deadline its requests lose their connection.
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    // Connections whose last response went out before `stopping` was seen are idle now.
    server.closeIdleConnections();
    await closed;
    clearTimeout(force);
    this.state = 'stopped';
  }
}
