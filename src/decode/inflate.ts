import { constants } from 'node:buffer';
import { gunzip, gunzipSync } from 'node:zlib';

/**
 * What the decoder asks its driver for: inflate these gzip bytes, stopping at `maxOutputLength`.
 * The synchronous driver (files) inflates on the spot; the receivers inflate on libuv's thread
 * pool, so that a gzip bomb costs the event loop nothing while it is stopped at its limit.
 */
export interface InflateStep {
  kind: 'inflate';
  bytes: Uint8Array;
  maxOutputLength: number;
}

/** A record boundary: an asynchronous driver may hand the event loop back here. */
export interface RecordStep {
  kind: 'record';
}

export type DecodeStep = InflateStep | RecordStep;

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
  try {
    return { ok: true, bytes: gunzipSync(step.bytes, { maxOutputLength: outputLimit(step) }) };
  } catch (err) {
    return failure(err);
  }
}

export function inflateAsync(step: InflateStep): Promise<InflateResult> {
  return new Promise((resolve) => {
    gunzip(step.bytes, { maxOutputLength: outputLimit(step) }, (err, bytes) => resolve(err === null ? { ok: true, bytes } : failure(err)));
  });
}

/** Runs decoding work to the end on the calling stack (files, tests, replay). */
export function runSync(work: DecodeWork): void {
  let next = work.next();
  while (next.done !== true) {
    next = work.next(next.value.kind === 'inflate' ? inflateSync(next.value) : undefined);
  }
}
