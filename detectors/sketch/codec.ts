import { crc32 } from 'node:zlib';
import type { CounterArray } from './count-min-table.js';
import { SketchError } from './errors.js';

/**
 * The byte layout shared by every serialized sketch (engines persist them in their snapshots and
 * may share them between workers, so the format is versioned and checked):
 *
 *   offset  size  field
 *   0       4     magic, 4 ASCII bytes naming the kind (`SWCM` count-min, `SWBF` Bloom, `SWWC`
 *                 windowed count-min, `SWWB` windowed Bloom, `SWWD` windowed distinct counter)
 *   4       1     format version (3; older versions are refused, see below)
 *   5       1     flags (kind-specific; unknown bits are refused)
 *   6       2     reserved, 0
 *   8       H     kind-specific header fields, little-endian, H a multiple of 8
 *   8 + H   ...   body: little-endian arrays one after the other: 32-bit bit words, and counters of
 *                 the width the header names (8, 16 or 32 bits)
 *   end-4   4     CRC-32 (zlib polynomial) of every byte before it
 *
 * Version 2 added the counter width to the count-min kinds' headers (SWCM: a u32 at offset 32,
 * the header growing from 24 to 32 bytes; SWWC and SWWD: the u32 at offset 20 that version 1
 * kept at 0). Version 3 keeps the headers of version 2 but changes what the body means: keys hash
 * through one shared MurmurHash3 pass mixed with each sketch's seed (key-hasher.ts), and the
 * windowed kinds store the sub-windows of each counter or bit position side by side
 * (count-min-table.ts, bloom-table.ts). A version 1 or 2 body would put every key at other
 * positions, so those versions are refused as SKETCH_UNSUPPORTED_VERSION (engines then start
 * fresh: SW_STATE_INCOMPATIBLE) rather than read into wrong answers.
 *
 * Everything is little-endian whatever the platform, so bytes written on one machine read on any.
 */
export const PREAMBLE_BYTES = 8;
export const TRAILER_BYTES = 4;
/** The version this build writes. */
export const FORMAT_VERSION = 3;
/** The oldest version this build still reads. */
export const OLDEST_FORMAT_VERSION = 3;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export interface Frame {
  bytes: Uint8Array;
  view: DataView;
  /** Offset of the body, after the kind-specific header. */
  bodyOffset: number;
}

/** The size of a frame's parts, as a kind's header announces them. */
export interface FrameLayout {
  headerBytes: number;
  /** Total bytes of the body arrays (need not be a multiple of 4 with 8- or 16-bit counters). */
  bodyBytes: number;
}

/** Allocates a frame and writes the preamble; the caller writes its header fields from offset 8. */
export function openFrame(magic: string, flags: number, layout: FrameLayout): Frame {
  const bodyOffset = PREAMBLE_BYTES + layout.headerBytes;
  const bytes = new Uint8Array(bodyOffset + layout.bodyBytes + TRAILER_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = magic.charCodeAt(i);
  view.setUint8(4, FORMAT_VERSION);
  view.setUint8(5, flags);
  return { bytes, view, bodyOffset };
}

/** Copies the body arrays one after the other (little-endian) and seals the frame with its checksum. */
export function closeFrame(frame: Frame, ...bodies: CounterArray[]): Uint8Array {
  const { bytes, view } = frame;
  let at = frame.bodyOffset;
  for (const body of bodies) {
    if (LITTLE_ENDIAN || body.BYTES_PER_ELEMENT === 1) {
      bytes.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), at);
    } else if (body.BYTES_PER_ELEMENT === 2) {
      for (let i = 0; i < body.length; i++) view.setUint16(at + i * 2, body[i]!, true);
    } else {
      for (let i = 0; i < body.length; i++) view.setUint32(at + i * 4, body[i]!, true);
    }
    at += body.byteLength;
  }
  const end = bytes.length - TRAILER_BYTES;
  view.setUint32(end, crc32(bytes.subarray(0, end)), true);
  return bytes;
}

export function corruptError(kind: string, detail: string): SketchError {
  return new SketchError('SKETCH_CORRUPT', `not a valid serialized ${kind}: ${detail}`);
}

/**
 * Checks checksum, magic, version, flags, reserved bytes and total length, and returns the view,
 * the format version and the body offset. `layout` reads the kind's header fields (only called
 * once the first 32 bytes are known to exist, the checksum holds and the version is one this build
 * reads: 1 or 2) and returns the sizes they announce, or throws (any error becomes SKETCH_CORRUPT
 * with its message).
 */
export function readFrame(
  input: Uint8Array,
  magic: string,
  kind: string,
  knownFlags: number,
  layout: (view: DataView, version: number) => FrameLayout,
): { view: DataView; version: number; bodyOffset: number } {
  if (!(input instanceof Uint8Array)) throw corruptError(kind, 'input is not a Uint8Array');
  if (input.length < 32 + TRAILER_BYTES) throw corruptError(kind, `${input.length} bytes is shorter than a header`);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  // The checksum comes first: a flipped bit anywhere (version byte included) reads as corruption.
  const end = input.length - TRAILER_BYTES;
  if (view.getUint32(end, true) !== crc32(input.subarray(0, end))) throw corruptError(kind, 'checksum mismatch');
  for (let i = 0; i < 4; i++) {
    if (input[i] !== magic.charCodeAt(i)) throw corruptError(kind, `magic is not '${magic}'`);
  }
  const version = view.getUint8(4);
  if (version > FORMAT_VERSION) {
    throw new SketchError(
      'SKETCH_UNSUPPORTED_VERSION',
      `serialized ${kind} has format version ${version}; this build reads up to ${FORMAT_VERSION}`,
    );
  }
  if (version === 0) throw corruptError(kind, 'format version 0');
  if (version < OLDEST_FORMAT_VERSION) {
    throw new SketchError(
      'SKETCH_UNSUPPORTED_VERSION',
      `serialized ${kind} has format version ${version}, written by an older build; this build reads version ${OLDEST_FORMAT_VERSION} and up`,
    );
  }
  if ((view.getUint8(5) & ~knownFlags) !== 0) throw corruptError(kind, `unknown flags 0x${view.getUint8(5).toString(16)}`);
  if (view.getUint16(6, true) !== 0) throw corruptError(kind, 'reserved bytes are not 0');
  const sizes = asCorrupt(kind, () => layout(view, version));
  const bodyOffset = PREAMBLE_BYTES + sizes.headerBytes;
  const expected = bodyOffset + sizes.bodyBytes + TRAILER_BYTES;
  if (input.length !== expected) throw corruptError(kind, `length ${input.length} bytes, header announces ${expected}`);
  return { view, version, bodyOffset };
}

/** Runs `fn`; any error it throws (a header field out of range, an option refused) becomes SKETCH_CORRUPT. */
export function asCorrupt<T>(kind: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SketchError && err.code === 'SKETCH_CORRUPT') throw err;
    throw corruptError(kind, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Copies a body array at `offset` of a frame checked by `readFrame` into `out` (bit words or
 * counters, little-endian, of `out`'s element size); returns the next offset.
 */
export function readWordsInto(input: Uint8Array, offset: number, out: CounterArray): number {
  if (LITTLE_ENDIAN || out.BYTES_PER_ELEMENT === 1) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(input.subarray(offset, offset + out.byteLength));
  } else {
    const view = new DataView(input.buffer, input.byteOffset + offset, out.byteLength);
    if (out.BYTES_PER_ELEMENT === 2) for (let i = 0; i < out.length; i++) out[i] = view.getUint16(i * 2, true);
    else for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  }
  return offset + out.byteLength;
}

/** The counter width a count-min kind's header names: 8, 16 or 32; anything else throws (SKETCH_CORRUPT via asCorrupt). */
export function counterBitsField(field: number): 8 | 16 | 32 {
  if (field !== 8 && field !== 16 && field !== 32) throw new Error(`counter width ${field} is not 8, 16 or 32`);
  return field;
}

/** Writes float64 values from `offset`; returns the next offset. */
export function writeFloats(view: DataView, offset: number, values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) view.setFloat64(offset + i * 8, values[i]!, true);
  return offset + values.length * 8;
}

/** Reads `out.length` float64 values from `offset`; returns the next offset. */
export function readFloats(view: DataView, offset: number, out: Float64Array): number {
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(offset + i * 8, true);
  return offset + out.length * 8;
}

/** A stored counter must be a non-negative integer (float64 fields keep counts exact to 2^53). */
export function checkCounter(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 0)) throw new Error(`${name} ${value} is not a non-negative integer`);
  return value;
}
