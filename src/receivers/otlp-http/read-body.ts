import type { IncomingMessage } from 'node:http';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { RequestBudget } from '../request-budget.js';

export type BodyErrorKind = 'too_large' | 'overloaded' | 'bad_gzip' | 'aborted';

/** Why a request body could not be read; the handler turns it into 413, 429, 400 or nothing (client gone). */
export class BodyError extends Error {
  constructor(
    readonly kind: BodyErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export interface BodyLimits {
  gzip: boolean;
  /** Bytes as sent. */
  maxBytes: number;
  /** The request's byte account: every chunk received is held, every inflated chunk spent. */
  budget: RequestBudget;
}

/**
 * Reads a request body, inflating it as it streams when it is gzip, and stops as soon as a limit
 * is passed (size as sent, the request's decompression limit, or the intake's byte bound): memory
 * stays within the limits whatever the sender claims or compresses.
 * On failure the rest of the body is read and discarded (bounded by the server's request timeout),
 * so that the connection can carry the error response and stay usable.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let raw = 0;
    let out = 0;
    let settled = false;
    const gunzip: Gunzip | undefined = limits.gzip ? createGunzip() : undefined;

    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('aborted', onAborted);
      req.off('close', onClose);
      if (gunzip !== undefined) {
        gunzip.off('data', onInflated);
        gunzip.off('end', finish);
        gunzip.destroy();
      }
    };
    const fail = (err: BodyError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      req.resume();
      reject(err);
    };
    function finish(): void {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, out));
    }
    const refused = (): BodyError =>
      limits.budget.refusal === 'too_large'
        ? new BodyError('too_large', `gzip request body inflates to more than ${limits.budget.maxDecompressedBytes} bytes`)
        : new BodyError('overloaded', 'secretwatch has too many bytes in flight to take this request now; retry later');
    function onData(chunk: Buffer): void {
      raw += chunk.length;
      if (raw > limits.maxBytes) return fail(new BodyError('too_large', `request body exceeds ${limits.maxBytes} bytes`));
      if (!limits.budget.hold(chunk.length)) return fail(refused());
      if (gunzip !== undefined) {
        gunzip.write(chunk);
        return;
      }
      out += chunk.length;
      chunks.push(chunk);
    }
    function onInflated(chunk: Buffer): void {
      out += chunk.length;
      if (!limits.budget.spend(chunk.length)) return fail(refused());
      chunks.push(chunk);
    }
    function onEnd(): void {
      if (gunzip !== undefined) gunzip.end();
      else finish();
    }
    function onAborted(): void {
      fail(new BodyError('aborted', 'the client closed the connection before sending the whole body'));
    }
    function onClose(): void {
      if (!req.complete) onAborted();
    }

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('aborted', onAborted);
    req.on('close', onClose);
    if (gunzip !== undefined) {
      gunzip.on('data', onInflated);
      gunzip.on('end', finish);
      gunzip.on('error', (err) => fail(new BodyError('bad_gzip', `request body is not valid gzip: ${err.message}`)));
    }
  });
}
