import type { ServerResponse } from 'node:http';
import type { OtlpEncoding } from '../../otlp/codec.js';
import { encodeRpcStatus } from '../../otlp/rpc-status.js';

export const CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** The encoding a Content-Type header selects, ignoring parameters and case; undefined otherwise. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

export function sendBody(res: ServerResponse, status: number, body: Uint8Array, encoding: OtlpEncoding, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPES[encoding], 'content-length': String(body.byteLength), ...headers });
  res.end(body);
}

/**
 * An error response: a `google.rpc.Status` in the request's encoding, as OTLP/HTTP requires.
 * A body not read yet is discarded by node:http after the response, keeping the connection usable
 * (closing with unread data would reset it and could lose the response at the sender).
 */
export function sendStatus(
  res: ServerResponse,
  httpStatus: number,
  rpcCode: number,
  message: string,
  encoding: OtlpEncoding,
  headers: Record<string, string> = {},
): void {
  sendBody(res, httpStatus, encodeRpcStatus(rpcCode, message, encoding), encoding, headers);
}
