import { credentials, makeGenericClientConstructor, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { Agent, request } from 'node:http';
import type { SoakRequest } from './traffic.js';

/** How a request ended, as a Collector's exporter would act on it. */
export type SendResult =
  | { outcome: 'accepted' }
  /** 429 / 503 / RESOURCE_EXHAUSTED / UNAVAILABLE, or the connection failed (a restart): send again later. */
  | { outcome: 'retry'; afterMs: number; why: string }
  /** A permanent refusal (400, 413, INVALID_ARGUMENT...): dropped. */
  | { outcome: 'refused'; why: string };

const CONNECTION_RETRY_MS = 250;

export function sendHttp(port: number, agent: Agent, req: SoakRequest): Promise<SendResult> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {
      'content-type': req.transport === 'json' ? 'application/json' : 'application/x-protobuf',
      'content-length': String(req.bytes.byteLength),
    };
    if (req.contentEncoding !== undefined) headers['content-encoding'] = req.contentEncoding;
    const r = request({ host: '127.0.0.1', port, path: '/v1/logs', method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code === 200) return resolve({ outcome: 'accepted' });
        if (code === 429 || code === 503) return resolve({ outcome: 'retry', afterMs: Number(res.headers['retry-after'] ?? 1) * 1000, why: String(code) });
        resolve({ outcome: 'refused', why: String(code) });
      });
      res.on('error', () => resolve({ outcome: 'retry', afterMs: CONNECTION_RETRY_MS, why: 'connection' }));
    });
    r.on('error', () => resolve({ outcome: 'retry', afterMs: CONNECTION_RETRY_MS, why: 'connection' }));
    r.end(req.bytes);
  });
}

const GrpcClient = makeGenericClientConstructor(
  {
    Export: {
      path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  },
  'LogsService',
);

export function grpcClient(port: number): Client {
  return new GrpcClient(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
}

export function sendGrpc(client: Client, req: SoakRequest): Promise<SendResult> {
  return new Promise((resolve) => {
    const exportCall = (client as unknown as { Export: (r: Buffer, m: Metadata, o: { deadline: number }, cb: (e: ServiceError | null) => void) => void }).Export;
    exportCall.call(client, Buffer.from(req.bytes), new Metadata(), { deadline: Date.now() + 30_000 }, (error) => {
      if (error === null) return resolve({ outcome: 'accepted' });
      if (error.code === status.RESOURCE_EXHAUSTED && error.metadata.get('grpc-status-details-bin').length > 0) return resolve({ outcome: 'retry', afterMs: 1000, why: 'RESOURCE_EXHAUSTED' });
      if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) return resolve({ outcome: 'retry', afterMs: CONNECTION_RETRY_MS, why: status[error.code] });
      resolve({ outcome: 'refused', why: status[error.code] });
    });
  });
}
