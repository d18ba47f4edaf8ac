import { crc32 } from 'node:zlib';
import { SecretwatchError } from '../../src/errors/codes.js';
import { murmur3_32 } from '../sketch/hash.js';

/**
 * The snapshot format of every engine: a small header, then the engine's sections (its own
 * scalars and its sketches' `serialize` output, each self-checked again on restore), then a
 * checksum of everything.
 *
 *   offset  size  field
 *   0       4     magic `SWEN`
 *   4       1     format version (1)
 *   5       1     engine kind (ENGINE_KINDS index + 1)
 *   6       2     reserved, 0
 *   8       4     configuration fingerprint (see `configFingerprint`)
 *   12      4     number of sections
 *   16      ...   per section: byte length (u32), bytes
 *   end-4   4     CRC-32 of every byte before it
 *
 * Little-endian throughout. Restore throws `SW_STATE_CORRUPT` for bytes that are not an intact
 * snapshot and `SW_STATE_INCOMPATIBLE` for an intact snapshot of another engine kind,
 * configuration or newer format: the caller decides whether to start fresh.
 */
const MAGIC = [0x53, 0x57, 0x45, 0x4e]; // 'SWEN'
export const ENGINE_STATE_VERSION = 1;
const HEADER_BYTES = 16;

export const ENGINE_KINDS = ['threshold', 'new_terms', 'sequence', 'multi_provider', 'time_of_day', 'match'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

function corrupt(detail: string): SecretwatchError {
  return new SecretwatchError('SW_STATE_CORRUPT', `engine snapshot is damaged: ${detail}`);
}

function incompatible(detail: string): SecretwatchError {
  return new SecretwatchError('SW_STATE_INCOMPATIBLE', `engine snapshot does not fit this engine: ${detail}`);
}

/**
 * A 32-bit hash of what gives the state its meaning and shape (kind, fields, window, sketch
 * dimensions, seed, lateness), so that a snapshot is never loaded into an engine that would read
 * it differently. Thresholds are left out on purpose: raising `count_above` keeps the counts valid.
 */
export function configFingerprint(parts: readonly (string | number | boolean | undefined)[]): number {
  const bytes = new TextEncoder().encode(JSON.stringify(parts.map((p) => (p === undefined ? null : p))));
  return murmur3_32(bytes, 0x5345454e);
}

export function encodeEngineState(kind: EngineKind, fingerprint: number, sections: readonly Uint8Array[]): Uint8Array {
  const size = HEADER_BYTES + sections.reduce((n, s) => n + 4 + s.length, 0) + 4;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint8(4, ENGINE_STATE_VERSION);
  view.setUint8(5, ENGINE_KINDS.indexOf(kind) + 1);
  view.setUint32(8, fingerprint >>> 0, true);
  view.setUint32(12, sections.length, true);
  let at = HEADER_BYTES;
  for (const s of sections) {
    view.setUint32(at, s.length, true);
    bytes.set(s, at + 4);
    at += 4 + s.length;
  }
  view.setUint32(at, crc32(bytes.subarray(0, at)), true);
  return bytes;
}

/** Checks a snapshot and returns its sections (views into `input`, not copies). */
export function decodeEngineState(
  input: unknown,
  kind: EngineKind,
  fingerprint: number,
  sectionCount: number,
): Uint8Array[] {
  if (!(input instanceof Uint8Array)) throw corrupt('not a byte array');
  if (input.length < HEADER_BYTES + 4) throw corrupt(`${input.length} bytes is shorter than the header`);
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const end = input.length - 4;
  if (view.getUint32(end, true) !== crc32(input.subarray(0, end))) throw corrupt('checksum mismatch');
  for (let i = 0; i < 4; i++) if (input[i] !== MAGIC[i]) throw corrupt("magic is not 'SWEN'");
  const version = view.getUint8(4);
  if (version === 0) throw corrupt('format version 0');
  if (version > ENGINE_STATE_VERSION) {
    throw incompatible(`format version ${version}; this build reads up to ${ENGINE_STATE_VERSION}`);
  }
  const savedKind = ENGINE_KINDS[view.getUint8(5) - 1];
  if (savedKind === undefined) throw corrupt(`unknown engine kind ${view.getUint8(5)}`);
  if (savedKind !== kind) throw incompatible(`written by a ${savedKind} engine, restored into a ${kind} engine`);
  if (view.getUint16(6, true) !== 0) throw corrupt('reserved bytes are not 0');
  if (view.getUint32(8, true) !== fingerprint >>> 0) {
    throw incompatible('written with another configuration (fields, window, sketch size, seed or lateness)');
  }
  const count = view.getUint32(12, true);
  if (count !== sectionCount) throw incompatible(`${count} sections, this engine has ${sectionCount}`);
  const sections: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 4 > end) throw corrupt(`section ${i} is truncated`);
    const length = view.getUint32(at, true);
    if (at + 4 + length > end) throw corrupt(`section ${i} announces ${length} bytes past the end`);
    sections.push(input.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== end) throw corrupt(`${end - at} bytes after the last section`);
  return sections;
}

/** The engine's own numbers (counters, newest time) as one section of float64 values. */
export function encodeScalars(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  return bytes;
}

export function decodeScalars(section: Uint8Array, count: number): number[] {
  if (section.length !== count * 8) throw corrupt(`scalars section of ${section.length} bytes, expected ${count * 8}`);
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = view.getFloat64(i * 8, true);
    if (Number.isNaN(v)) throw corrupt(`scalar ${i} is not a number`);
    out.push(v);
  }
  return out;
}

/**
 * Runs a sketch's `deserialize` on a section and checks it has the configured shape: a sketch
 * error (bad checksum, truncation) becomes SW_STATE_CORRUPT, a shape mismatch SW_STATE_INCOMPATIBLE.
 */
export function restoreSection<T>(name: string, section: Uint8Array, read: (bytes: Uint8Array) => T, sameShape: (sketch: T) => boolean): T {
  let sketch: T;
  try {
    sketch = read(section);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'SKETCH_UNSUPPORTED_VERSION') throw incompatible(`${name}: ${(err as Error).message}`);
    throw new SecretwatchError('SW_STATE_CORRUPT', `engine snapshot is damaged: ${name}: ${(err as Error).message}`, { cause: err });
  }
  if (!sameShape(sketch)) throw incompatible(`${name} has another size than configured`);
  return sketch;
}
