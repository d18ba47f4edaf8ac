import { Server, ServerCredentials } from '@grpc/grpc-js';
import { SecretwatchError } from '../../errors/codes.js';
import { formatEndpoint, type Endpoint } from '../endpoint.js';
import { listenEndpoint, receiverParts, type ReceiverState } from '../receiver-parts.js';
import type { ReceiverStats } from '../receiver-stats.js';
import type { Receiver, ReceiverDeps } from '../receiver.js';
import { resolveOtlpGrpcConfig, type OtlpGrpcReceiverConfig } from './config.js';
import { exportLogs, type GrpcHandlerContext } from './handler.js';
import { logsServiceDefinition } from './service.js';
import { countSizeRefusals } from './size-refusals.js';


/** OTLP/gRPC logs receiver: `opentelemetry.proto.collector.logs.v1.LogsService/Export`, plaintext. */
export class OtlpGrpcReceiver implements Receiver {
  readonly name = 'otlp-grpc';
  readonly stats: ReceiverStats;
  readonly config: OtlpGrpcReceiverConfig;
  private readonly ctx: GrpcHandlerContext;
  private readonly onError: ((err: Error) => void) | undefined;
  private state: ReceiverState = 'new';
  private server: Server | undefined;
  private bound: Endpoint | undefined;
  private listening: Promise<number> | undefined;
  private stopped: Promise<void> | undefined;

  /** `config` is validated here (SW_CONFIG_INVALID naming the key); defaults in OTLP_GRPC_DEFAULTS. */
  constructor(config: Partial<OtlpGrpcReceiverConfig>, deps: ReceiverDeps) {
    this.config = resolveOtlpGrpcConfig(config);
    const parts = receiverParts(this.name, deps, this.config);
    this.stats = parts.stats;
    this.onError = deps.onError;
    this.ctx = {
      ...parts,
      maxDecompressedBytes: this.config.max_decompressed_bytes,
      retryAfterMs: this.config.retry_after_seconds * 1000,
      stopping: () => this.state === 'stopping' || this.state === 'stopped',
    };
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
    return this.bound;
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async bind(endpoint: Endpoint): Promise<number> {
    const server = new Server({
      'grpc.max_receive_message_length': this.config.max_request_bytes,
      interceptors: [countSizeRefusals(this.stats)],
    });
    server.addService(logsServiceDefinition(), { Export: exportLogs(this.ctx, this.onError) });
    let port: number;
    try {
      port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(formatEndpoint(endpoint), ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err)));
      });
    } catch (err) {
      this.state = 'stopped';
      server.forceShutdown();
      throw new SecretwatchError('SW_RECEIVER_LISTEN', `${this.name} receiver cannot listen on ${formatEndpoint(endpoint)}: ${(err as Error).message}`, { cause: err });
    }
    this.server = server;
    this.bound = { host: endpoint.host, port };
    if (this.state === 'starting') this.state = 'listening';
    return port;
  }

  private async shutdown(): Promise<void> {
    if (this.listening !== undefined) await this.listening.catch(() => undefined);
    const server = this.server;
    if (server === undefined) {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    await new Promise<void>((resolve) => {
      // tryShutdown stops accepting and waits for calls in flight; a stalled consumer is cut off.
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.config.shutdown_timeout_ms);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.state = 'stopped';
  }
}
