import { crc32 } from 'node:zlib';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';

/**
 * One write-ahead-log record: the normalized events of one acknowledged request, in the order they
 * were scored, with the clock reading they were scored at (the detector's future-time check and
 * `observed_time` use it, so a replay decides exactly as the first run did).
 *
 * Frame: u32 little-endian payload length, u32 CRC-32 of the payload, then the payload, UTF-8
 * JSON `{"seq":N,"clock_ms":MS,"events":[...]}`. The length and checksum tell a record cut short by
 * a crash, or damaged, from a whole one.
 */
export interface WalRecord {
  seq: number;
  clockMs: number;
  events: SecretAccessEvent[];
}

export const FRAME_HEADER_BYTES = 8;
/** A record larger than this is damage, not data (a request is far smaller). */
const MAX_PAYLOAD_BYTES = 1 << 30;

export function encodeRecord(seq: number, clockMs: number, events: readonly SecretAccessEvent[]): Buffer {
  const payload = Buffer.from(`{"seq":${seq},"clock_ms":${clockMs},"events":${JSON.stringify(events)}}`, 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export type DecodeResult =
  | { kind: 'record'; record: WalRecord; bytes: number }
  /** Not enough bytes for the frame the header announces (a torn tail), or none at all. */
  | { kind: 'short' }
  | { kind: 'damaged'; why: string };

export function decodeRecord(buf: Buffer, offset: number): DecodeResult {
  if (offset + FRAME_HEADER_BYTES > buf.length) return { kind: 'short' };
  const length = buf.readUInt32LE(offset);
  if (length > MAX_PAYLOAD_BYTES) return { kind: 'damaged', why: `record length ${length}` };
  if (offset + FRAME_HEADER_BYTES + length > buf.length) return { kind: 'short' };
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return { kind: 'damaged', why: 'checksum mismatch' };
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return { kind: 'damaged', why: 'payload is not JSON' };
  }
  const v = value as { seq?: unknown; clock_ms?: unknown; events?: unknown };
  if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || v.seq < 0 || typeof v.clock_ms !== 'number' || !Array.isArray(v.events)) {
    return { kind: 'damaged', why: 'payload has the wrong shape' };
  }
  return { kind: 'record', record: { seq: v.seq, clockMs: v.clock_ms, events: v.events as SecretAccessEvent[] }, bytes: FRAME_HEADER_BYTES + length };
}
