import protobuf from 'protobufjs';
import type { OtlpEncoding } from './types.js';

/**
 * `google.rpc.Status`, the body of OTLP/HTTP error responses and the `grpc-status-details-bin`
 * trailer of gRPC errors, with `google.rpc.RetryInfo` in its details when the sender should retry.
 * Built by reflection from the public field numbers: four small messages do not warrant .proto files.
 */

/** google.rpc.Code values used by the receivers (the same numbers as gRPC status codes). */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

interface StatusTypes {
  status: protobuf.Type;
  retryInfo: protobuf.Type;
}

let types: StatusTypes | undefined;

function statusTypes(): StatusTypes {
  if (types !== undefined) return types;
  const duration = new protobuf.Type('Duration').add(new protobuf.Field('seconds', 1, 'int64')).add(new protobuf.Field('nanos', 2, 'int32'));
  const any = new protobuf.Type('Any').add(new protobuf.Field('typeUrl', 1, 'string')).add(new protobuf.Field('value', 2, 'bytes'));
  const retryInfo = new protobuf.Type('RetryInfo').add(new protobuf.Field('retryDelay', 1, 'google.protobuf.Duration'));
  const status = new protobuf.Type('Status')
    .add(new protobuf.Field('code', 1, 'int32'))
    .add(new protobuf.Field('message', 2, 'string'))
    .add(new protobuf.Field('details', 3, 'google.protobuf.Any', 'repeated'));
  const root = new protobuf.Root();
  root.define('google.protobuf').add(duration).add(any);
  root.define('google.rpc').add(retryInfo).add(status);
  root.resolveAll();
  types = { status, retryInfo };
  return types;
}

/**
 * A Status in the request's encoding. `retryDelayMs`, when given, adds a RetryInfo detail: the
 * OTLP/gRPC way to say that RESOURCE_EXHAUSTED is temporary (HTTP uses `Retry-After` as well).
 */
export function encodeRpcStatus(code: number, message: string, encoding: OtlpEncoding, retryDelayMs?: number): Uint8Array {
  const seconds = retryDelayMs === undefined ? 0 : Math.floor(retryDelayMs / 1000);
  const nanos = retryDelayMs === undefined ? 0 : (retryDelayMs % 1000) * 1_000_000;
  if (encoding === 'json') {
    const details =
      retryDelayMs === undefined ? [] : [{ '@type': RETRY_INFO_TYPE_URL, retryDelay: `${seconds}${nanos === 0 ? '' : `.${String(nanos).padStart(9, '0')}`}s` }];
    return Buffer.from(JSON.stringify({ code, message, details }), 'utf8');
  }
  const { status, retryInfo } = statusTypes();
  const details =
    retryDelayMs === undefined
      ? []
      : [{ typeUrl: RETRY_INFO_TYPE_URL, value: retryInfo.encode(retryInfo.fromObject({ retryDelay: { seconds, nanos } })).finish() }];
  return status.encode(status.fromObject({ code, message, details })).finish();
}

/** Decodes a protobuf Status (tests, and senders' error bodies). */
export function decodeRpcStatus(bytes: Uint8Array): { code: number; message: string; retryDelayMs?: number } {
  const { status, retryInfo } = statusTypes();
  const s = status.toObject(status.decode(bytes), { longs: Number, defaults: true }) as {
    code: number;
    message: string;
    details: { typeUrl: string; value: Uint8Array }[];
  };
  const retry = s.details.find((d) => d.typeUrl === RETRY_INFO_TYPE_URL);
  if (retry === undefined) return { code: s.code, message: s.message };
  const info = retryInfo.toObject(retryInfo.decode(retry.value), { longs: Number, defaults: true }) as { retryDelay?: { seconds: number; nanos: number } };
  return { code: s.code, message: s.message, retryDelayMs: (info.retryDelay?.seconds ?? 0) * 1000 + Math.round((info.retryDelay?.nanos ?? 0) / 1e6) };
}
