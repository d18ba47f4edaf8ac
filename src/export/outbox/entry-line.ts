import { crc32 } from 'node:zlib';
import type { Alert } from '../../../detectors/alerts/alert.js';

/**
 * One outbox line: `{"crc":"1a2b3c4d","seq":N,"at":MS,"alert":{...}}\n`. `crc` is the CRC-32 (8
 * lower-case hex digits) of the UTF-8 text after `"crc":"…",` up to the newline, so a line damaged
 * or edited on disk is refused instead of sent. The alert JSON is serialized once, at `append`, so
 * its size is known for the bound before the write; the wrapper is added at write time when the
 * sequence number is assigned. Lines without `crc` (written before it existed) are still read.
 */

/** Upper bound of the wrapper's bytes around the alert JSON (crc, and seq and at up to 16 digits each). */
export const LINE_OVERHEAD_BYTES = 96;

const CRC_PREFIX = '{"crc":"';
/** `{"crc":"` + 8 hex digits + `",` */
const CRC_FIELD_LENGTH = CRC_PREFIX.length + 8 + 2;

export function encodeLine(seq: number, at: number, alertJson: string): string {
  const rest = `"seq":${seq},"at":${at},"alert":${alertJson}}`;
  return `${CRC_PREFIX}${crc32(rest).toString(16).padStart(8, '0')}",${rest}\n`;
}

/** False when the line carries a checksum that does not match its text. */
function checksumHolds(text: string): boolean {
  if (!text.startsWith(CRC_PREFIX)) return !text.startsWith('{"crc"');
  const hex = text.slice(CRC_PREFIX.length, CRC_PREFIX.length + 8);
  if (!/^[0-9a-f]{8}$/.test(hex) || text.slice(CRC_PREFIX.length + 8, CRC_FIELD_LENGTH) !== '",') return false;
  return crc32(text.slice(CRC_FIELD_LENGTH)) === Number.parseInt(hex, 16);
}

export interface ParsedLine {
  seq: number;
  at: number;
  alert: Alert;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAlert(v: unknown): v is Alert {
  return (
    isRecord(v) &&
    typeof v['time'] === 'string' &&
    typeof v['observed_time'] === 'string' &&
    typeof v['severity_text'] === 'string' &&
    typeof v['severity_number'] === 'number' &&
    typeof v['body'] === 'string' &&
    isRecord(v['attributes'])
  );
}

/**
 * The entry on one line (without its newline), or undefined when the line is not a whole entry or
 * fails its checksum.
 */
export function parseLine(text: string): ParsedLine | undefined {
  if (!checksumHolds(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const { seq, at, alert } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  if (typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  if (!isAlert(alert)) return undefined;
  return { seq, at, alert };
}
