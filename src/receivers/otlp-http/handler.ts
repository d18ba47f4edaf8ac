import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeExportLogsResponse, type OtlpEncoding } from '../../otlp/codec.js';
import { RpcCode } from '../../otlp/rpc-status.js';
import type { BearerAuth } from '../bearer-auth.js';
import type { ExportOutcome, LogsExportHandler } from '../export-handler.js';
import type { Intake } from '../intake.js';
import type { ReceiverStats } from '../receiver-stats.js';
import type { OtlpHttpReceiverConfig } from './config.js';
import { BodyError, readBody } from './read-body.js';
import { encodingOf, sendBody, sendStatus } from './respond.js';

export const LOGS_PATH = '/v1/logs';

export interface HttpHandlerContext {
  config: OtlpHttpReceiverConfig;
  auth: BearerAuth | undefined;
  intake: Intake;
  stats: ReceiverStats;
  exporter: LogsExportHandler;
  /** True once stop() began: answer 503 to new work, close connections after each response. */
  stopping: () => boolean;
}

/**
 * One OTLP/HTTP request, checked cheapest first (path, method, token, content type, declared size,
 * intake) so that refused requests cost no body read; then the body is read within limits and
 * exported. Every outcome is a status code with a `google.rpc.Status` body; nothing throws.
 */
export async function handleLogsRequest(req: IncomingMessage, res: ServerResponse, ctx: HttpHandlerContext): Promise<void> {
  const { config, stats, intake } = ctx;
  stats.requests++;
  if (ctx.stopping()) res.shouldKeepAlive = false;
  const encoding = encodingOf(req.headers['content-type']);
  // Refusals are answered in the request's encoding when it has one, else in JSON (readable).
  const replyIn: OtlpEncoding = encoding ?? 'json';
  const retryAfter = { 'retry-after': String(config.retry_after_seconds) };
  const path = (req.url ?? '/').split('?', 1)[0];

  if (path !== LOGS_PATH) {
    stats.unsupported++;
    return sendStatus(res, 404, RpcCode.NOT_FOUND, `no OTLP endpoint at ${path}; logs are received at POST ${LOGS_PATH}`, replyIn);
  }
  if (req.method !== 'POST') {
    stats.unsupported++;
    return sendStatus(res, 405, RpcCode.UNIMPLEMENTED, `method ${req.method ?? ''} not allowed; use POST ${LOGS_PATH}`, replyIn, { allow: 'POST' });
  }
  if (ctx.auth !== undefined && !ctx.auth.check(req.headers.authorization)) {
    stats.unauthorized++;
    return sendStatus(res, 401, RpcCode.UNAUTHENTICATED, 'missing or invalid bearer token (send "Authorization: Bearer <token>")', replyIn, {
      'www-authenticate': 'Bearer',
    });
  }
  if (encoding === undefined) {
    stats.unsupported++;
    const got = req.headers['content-type'] === undefined ? 'no content type' : `content type "${req.headers['content-type']}"`;
    return sendStatus(res, 415, RpcCode.INVALID_ARGUMENT, `unsupported ${got}; send application/x-protobuf or application/json`, replyIn);
  }
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (contentEncoding !== 'gzip' && contentEncoding !== 'identity' && contentEncoding !== '') {
    stats.unsupported++;
    return sendStatus(res, 415, RpcCode.INVALID_ARGUMENT, `unsupported content encoding "${contentEncoding}"; send gzip or identity`, replyIn);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > config.max_request_bytes) {
    stats.tooLarge++;
    return sendStatus(res, 413, RpcCode.INVALID_ARGUMENT, `request body of ${declared} bytes exceeds max_request_bytes (${config.max_request_bytes})`, replyIn);
  }
  if (ctx.stopping()) {
    stats.unavailable++;
    return sendStatus(res, 503, RpcCode.UNAVAILABLE, 'secretwatch is shutting down; retry later', replyIn, retryAfter);
  }
  if (intake.full) {
    stats.overloaded++;
    return sendStatus(res, 429, RpcCode.RESOURCE_EXHAUSTED, intake.describeLoad(), replyIn, retryAfter);
  }

  const budget = intake.openRequest(config.max_decompressed_bytes);
  try {
    let body: Buffer;
    try {
      body = await readBody(req, { gzip: contentEncoding === 'gzip', maxBytes: config.max_request_bytes, budget });
    } catch (err) {
      if (!(err instanceof BodyError) || err.kind === 'aborted') return; // nobody to answer
      if (err.kind === 'too_large') {
        stats.tooLarge++;
        return sendStatus(res, 413, RpcCode.INVALID_ARGUMENT, err.message, replyIn);
      }
      if (err.kind === 'overloaded') {
        stats.overloaded++;
        return sendStatus(res, 429, RpcCode.RESOURCE_EXHAUSTED, err.message, replyIn, retryAfter);
      }
      stats.malformed++;
      return sendStatus(res, 400, RpcCode.INVALID_ARGUMENT, err.message, replyIn);
    }
    const outcome = await ctx.exporter.export(body, encoding, budget);
    if (ctx.stopping()) res.shouldKeepAlive = false;
    respond(res, outcome, encoding, retryAfter);
  } finally {
    budget.release();
  }
}

function respond(res: ServerResponse, outcome: ExportOutcome, encoding: OtlpEncoding, retryAfter: Record<string, string>): void {
  switch (outcome.kind) {
    case 'ok':
      return sendBody(res, 200, encodeExportLogsResponse(outcome.partialSuccess, encoding), encoding);
    case 'malformed':
      return sendStatus(res, 400, RpcCode.INVALID_ARGUMENT, outcome.message, encoding);
    case 'too_large':
      return sendStatus(res, 413, RpcCode.INVALID_ARGUMENT, outcome.message, encoding);
    case 'overloaded':
      return sendStatus(res, 429, RpcCode.RESOURCE_EXHAUSTED, outcome.message, encoding, retryAfter);
    case 'unavailable':
      return sendStatus(res, 503, RpcCode.UNAVAILABLE, outcome.message, encoding, retryAfter);
    case 'internal':
      return sendStatus(res, 500, RpcCode.INTERNAL, outcome.message, encoding);
  }
}
