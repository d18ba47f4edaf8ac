import { credentials, makeGenericClientConstructor, Metadata, type ServiceError } from '@grpc/grpc-js';

/** A raw OTLP/gRPC logs client on the real method path, sending bytes as given (garbage included). */
const RawClient = makeGenericClientConstructor(
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

export type RawGrpcResult = { error: ServiceError | null; response: Buffer | undefined };

/** One `Export` call on 127.0.0.1:`port`, with `authorization: Bearer <token>` unless token is null. */
export function grpcExportRaw(port: number, bytes: Uint8Array, token: string | null): Promise<RawGrpcResult> {
  const client = new RawClient(`127.0.0.1:${port}`, credentials.createInsecure(), { 'grpc.max_send_message_length': -1 });
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    (client.Export as (r: Buffer, m: Metadata, cb: (e: ServiceError | null, r?: Buffer) => void) => void)(Buffer.from(bytes), metadata, (error, response) => {
      client.close();
      resolve({ error, response });
    });
  });
}
