import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { LOGS_SERVICE_PROTO, otlpProtoDir } from '../../otlp/proto-root.js';

const SERVICE = 'opentelemetry.proto.collector.logs.v1.LogsService';

let definition: ServiceDefinition | undefined;

/**
 * `LogsService` from our .proto files via @grpc/proto-loader (method path
 * `/opentelemetry.proto.collector.logs.v1.LogsService/Export`), with pass-through (de)serializers:
 * the handler decodes with the same codec as OTLP/HTTP, so both receivers accept and refuse the
 * same requests with the same messages, and a malformed message is INVALID_ARGUMENT, not INTERNAL.
 */
export function logsServiceDefinition(): ServiceDefinition {
  if (definition !== undefined) return definition;
  const pkg = loadSync(LOGS_SERVICE_PROTO, { includeDirs: [otlpProtoDir()], keepCase: false });
  const service = pkg[SERVICE] as ServiceDefinition | undefined;
  const exportMethod = service?.Export;
  if (exportMethod === undefined) throw new Error(`${LOGS_SERVICE_PROTO} does not define ${SERVICE}.Export`);
  definition = {
    Export: {
      ...exportMethod,
      requestDeserialize: (bytes: Buffer): Buffer => bytes,
      responseSerialize: (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    },
  };
  return definition;
}
