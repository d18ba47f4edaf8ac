import { Metadata, status, type sendUnaryData, type ServerUnaryCall, type StatusObject } from '@grpc/grpc-js';
import { encodeExportLogsResponse } from '../../otlp/codec.js';
import { encodeRpcStatus } from '../../otlp/rpc-status.js';
import type { BearerAuth } from '../bearer-auth.js';
import type { ExportOutcome, LogsExportHandler } from '../export-handler.js';
import type { Intake } from '../intake.js';
import type { ReceiverStats } from '../receiver-stats.js';

export interface GrpcHandlerContext {
  auth: BearerAuth | undefined;
  maxDecompressedBytes: number;
  intake: Intake;
  stats: ReceiverStats;
  exporter: LogsExportHandler;
  retryAfterMs: number;
  stopping: () => boolean;
}

type Reply = { error: Partial<StatusObject> } | { response: Uint8Array };

/**
 * A status the sender may retry: RetryInfo in `grpc-status-details-bin` is what makes the
 * Collector's OTLP exporter retry RESOURCE_EXHAUSTED instead of dropping the data.
 */
function retryable(code: status, message: string, retryAfterMs: number): Reply {
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(encodeRpcStatus(code, message, 'protobuf', retryAfterMs)));
  return { error: { code, details: message, metadata } };
}

function fail(code: status, message: string): Reply {
  return { error: { code, details: message } };
}

async function handle(request: Buffer, metadata: Metadata, ctx: GrpcHandlerContext): Promise<Reply> {
  const { stats, intake } = ctx;
  stats.requests++;
  if (ctx.auth !== undefined) {
    const value = metadata.get('authorization')[0];
    if (!ctx.auth.check(typeof value === 'string' ? value : undefined)) {
      stats.unauthorized++;
      return fail(status.UNAUTHENTICATED, 'missing or invalid bearer token (send metadata "authorization: Bearer <token>")');
    }
  }
  if (ctx.stopping()) {
    stats.unavailable++;
    return retryable(status.UNAVAILABLE, 'secretwatch is shutting down; retry later', ctx.retryAfterMs);
  }
  if (intake.full) {
    stats.overloaded++;
    return retryable(status.RESOURCE_EXHAUSTED, intake.describeLoad(), ctx.retryAfterMs);
  }
  // grpc-js has buffered (and inflated) the message already, within max_request_bytes.
  const budget = intake.openRequest(ctx.maxDecompressedBytes);
  try {
    if (!budget.hold(request.byteLength)) {
      stats.overloaded++;
      return retryable(status.RESOURCE_EXHAUSTED, intake.describeLoad(true), ctx.retryAfterMs);
    }
    return toReply(await ctx.exporter.export(request, 'protobuf', budget), ctx.retryAfterMs);
  } finally {
    budget.release();
  }
}

function toReply(outcome: ExportOutcome, retryAfterMs: number): Reply {
  switch (outcome.kind) {
    case 'ok':
      return { response: encodeExportLogsResponse(outcome.partialSuccess, 'protobuf') };
    case 'malformed':
    case 'too_large':
      return fail(status.INVALID_ARGUMENT, outcome.message);
    case 'overloaded':
      return retryable(status.RESOURCE_EXHAUSTED, outcome.message, retryAfterMs);
    case 'unavailable':
      return retryable(status.UNAVAILABLE, outcome.message, retryAfterMs);
    case 'internal':
      return fail(status.INTERNAL, outcome.message);
  }
}

/** The `Export` implementation; every outcome is a response or a status, nothing throws. */
export function exportLogs(ctx: GrpcHandlerContext, onError: ((err: Error) => void) | undefined) {
  return (call: ServerUnaryCall<Buffer, Uint8Array>, callback: sendUnaryData<Uint8Array>): void => {
    void handle(call.request, call.metadata, ctx)
      .catch((err: unknown): Reply => {
        onError?.(err instanceof Error ? err : new Error(String(err)));
        return fail(status.INTERNAL, 'internal error');
      })
      .then((reply) => ('error' in reply ? callback(reply.error) : callback(null, reply.response)))
      .catch((err: unknown) => onError?.(err instanceof Error ? err : new Error(String(err))));
  };
}
