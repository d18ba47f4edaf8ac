import { constants } from 'node:buffer';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { DecodeBudget } from './budget.js';

/**
 * What the decoder asks its driver for: inflate these gzip bytes, stopping at `maxOutputLength`,
 * and spend what comes out from `budget`. The synchronous driver (files) inflates on the spot;
 * the receivers stream the inflation on libuv's thread pool and spend each chunk as it comes, so
 * that a gzip bomb costs the event loop nothing and concurrent inflations share the budget's
 * bound as they grow, not only once they are done.
 */
export interface InflateStep {
  kind: 'inflate';
  bytes: Uint8Array;
  maxOutputLength: number;
  budget: DecodeBudget;
}

/** A record boundary: an asynchronous driver may hand the event loop back here. */
export interface RecordStep {
  kind: 'record';
}

export type DecodeStep = InflateStep | RecordStep;

/** `tooLarge`: stopped at maxOutputLength, or the budget refused a chunk. Success: already spent. */
export type InflateResult = { ok: true; bytes: Buffer } | { ok: false; tooLarge: boolean; message: string };

/** Decoding work that pauses at inflations and record boundaries; run it with a driver. */
export type DecodeWork = Generator<DecodeStep, void, InflateResult | undefined>;

/** zlib wants a finite maxOutputLength no larger than a Buffer can be. */
function outputLimit(step: InflateStep): number {
  return Math.max(1, Math.min(step.maxOutputLength, constants.MAX_LENGTH));
}

function failure(err: unknown): InflateResult {
  const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
  return { ok: false, tooLarge, message: (err as Error).message };
}

export function inflateSync(step: InflateStep): InflateResult {
  let bytes: Buffer;
  try {
    bytes = gunzipSync(step.bytes, { maxOutputLength: outputLimit(step) });
  } catch (err) {
    return failure(err);
  }
  return step.budget.spend(bytes.length) ? { ok: true, bytes } : { ok: false, tooLarge: true, message: 'over the decompression budget' };
}

const TOO_LARGE: InflateResult = { ok: false, tooLarge: true, message: 'over the decompression budget' };

/** Streams the inflation on the thread pool; each output chunk is spent from the budget as it comes. */
export function inflateAsync(step: InflateStep): Promise<InflateResult> {
  return new Promise((resolve) => {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    const chunks: Buffer[] = [];
    const limit = outputLimit(step);
    let total = 0;
    let settled = false;
    const settle = (result: InflateResult): void => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      resolve(result);
    };
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit || !step.budget.spend(chunk.length)) return settle(TOO_LARGE);
      chunks.push(chunk);
    });
    gunzip.on('end', () => settle({ ok: true, bytes: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) }));
    gunzip.on('error', (err) => settle(failure(err)));
    gunzip.end(step.bytes);
  });
}

/** Runs decoding work to the end on the calling stack (files, tests, replay). */
export function runSync(work: DecodeWork): void {
  let next = work.next();
  while (next.done !== true) {
    next = work.next(next.value.kind === 'inflate' ? inflateSync(next.value) : undefined);
  }
}
