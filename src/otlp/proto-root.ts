import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../paths.js';
import { PROTOBUF_RECURSION_LIMIT } from './limits.js';

/** The folder holding the `opentelemetry/proto/...` tree, found from the sources and from `dist/` alike. */
export function otlpProtoDir(): string {
  return join(packageRoot(), 'src', 'otlp', 'proto');
}

/** The collector logs service file, relative to `otlpProtoDir()` (for @grpc/proto-loader too). */
export const LOGS_SERVICE_PROTO = 'opentelemetry/proto/collector/logs/v1/logs_service.proto';

export interface OtlpLogsTypes {
  request: protobuf.Type;
  response: protobuf.Type;
}

let types: OtlpLogsTypes | undefined;

/** The request and response message types, loaded from the .proto files once per process. */
export function otlpLogsTypes(): OtlpLogsTypes {
  if (types !== undefined) return types;
  const dir = otlpProtoDir();
  const root = new protobuf.Root();
  // Imports name paths from the proto root (`opentelemetry/proto/...`), not from the importing file.
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(dir, target));
  root.loadSync(LOGS_SERVICE_PROTO, { keepCase: false });
  root.resolveAll();
  // Process-wide protobufjs setting: only ever raised, never lowered below another user's choice.
  if (protobuf.Reader.recursionLimit < PROTOBUF_RECURSION_LIMIT) protobuf.Reader.recursionLimit = PROTOBUF_RECURSION_LIMIT;
  types = {
    request: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    response: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
  };
  return types;
}
