import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { grpcClient } from '../../bench/soak/send.js';

export type RawGrpcResult = { error: ServiceError | null; response: Buffer | undefined };

/**
 * One OTLP/gRPC `Export` call on 127.0.0.1:`port` with bytes as given (garbage included), with
 * `authorization: Bearer <token>` unless token is null. The soak benchmark's raw client.
 */
export function grpcExportRaw(port: number, bytes: Uint8Array, token: string | null): Promise<RawGrpcResult> {
  const client = grpcClient(port);
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    (client as unknown as { Export: (r: Buffer, m: Metadata, cb: (e: ServiceError | null, r?: Buffer) => void) => void }).Export.call(
      client,
      Buffer.from(bytes),
      metadata,
      (error, response) => {
        client.close();
        resolve({ error, response });
      },
    );
  });
}
