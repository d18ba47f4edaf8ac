import { crc32 } from 'node:zlib';
import { SketchError } from '../../../detectors/sketch/errors.js';

/** The SketchError code `fn` throws; undefined when it does not throw, a marker for other errors. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof SketchError ? err.code : `not a SketchError: ${String(err)}`;
  }
  return undefined;
}

/** Rewrites the trailing CRC-32 of serialized bytes after a test edited them (in place). */
export function reseal(b: Uint8Array): Uint8Array {
  new DataView(b.buffer, b.byteOffset).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
  return b;
}
