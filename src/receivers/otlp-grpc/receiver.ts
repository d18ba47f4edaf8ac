import { Server, ServerCredentials } from '@grpc/grpc-js';
import { SecretwatchError } from '../../errors/codes.js';
import { BearerAuth } from '../bearer-auth.js';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../endpoint.js';
import { LogsExportHandler } from '../export-handler.js';
import { Intake } from '../intake.js';
import { ReceiverStats } from '../receiver-stats.js';
import type { Receiver, ReceiverDeps } from '../receiver.js';
import { resolveOtlpGrpcConfig, type OtlpGrpcReceiverConfig } from './config.js';
import { exportLogs, type GrpcHandlerContext } from './handler.js';
import { logsServiceDefinition } from './service.js';

type State = 'new' | 'starting' | 'listening' | 'stopping' | 'stopped';

/** OTLP/gRPC logs receiver: `opentelemetry.proto.collector.logs.v1.LogsService/Export`, plaintext. */
export class OtlpGrpcReceiver implements Receiver {
  readonly name = 'otlp-grpc';
  readonly stats: ReceiverStats;
  readonly config: OtlpGrpcReceiverConfig;
  private readonly ctx: GrpcHandlerContext;
  private readonly onError: ((err: Error) => void) | undefined;
  private state: State = 'new';
  private server: Server | undefined;
  private bound: Endpoint | undefined;
  private listening: Promise<number> | undefined;
  private stopped: Promise<void> | undefined;

  /** `config` is validated here (SW_CONFIG_INVALID naming the key); defaults in OTLP_GRPC_DEFAULTS. */
  constructor(config: Partial<OtlpGrpcReceiverConfig>, deps: ReceiverDeps) {
    this.config = resolveOtlpGrpcConfig(config);
    this.stats = deps.stats ?? new ReceiverStats();
    this.onError = deps.onError;
    const intake = deps.intake ?? new Intake(this.config.max_records_in_flight);
    this.ctx = {
      auth: this.config.bearer_token === undefined ? undefined : new BearerAuth(this.config.bearer_token),
      intake,
      stats: this.stats,
      retryAfterMs: this.config.retry_after_seconds * 1000,
      exporter: new LogsExportHandler({
        receiver: this.name,
        consumer: deps.consumer,
        intake,
        stats: this.stats,
        ...(deps.createDecoder !== undefined ? { createDecoder: deps.createDecoder } : {}),
        ...(deps.onError !== undefined ? { onError: deps.onError } : {}),
      }),
      stopping: () => this.state === 'stopping' || this.state === 'stopped',
    };
  }

  start(): Promise<number> {
    return this.listen(this.config.endpoint);
  }

  listen(address: string): Promise<number> {
    if (this.state !== 'new') {
      return Promise.reject(new SecretwatchError('SW_RECEIVER_STATE', `${this.name} receiver: listen() called while ${this.state}; a receiver starts once`));
    }
    let endpoint: Endpoint;
    try {
      endpoint = parseEndpoint(address, `${this.name} listen address`);
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
    const server = new Server({ 'grpc.max_receive_message_length': this.config.max_request_bytes });
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
