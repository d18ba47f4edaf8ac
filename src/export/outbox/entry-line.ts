import type { Alert } from '../../../detectors/alerts/alert.js';

/**
 * One outbox line: `{"seq":N,"at":MS,"alert":{...}}\n`. The alert JSON is serialized once, at
 * `append`, so its size is known for the bound before the write; the wrapper is added at write time
 * when the sequence number is assigned.
 */

/** Upper bound of the wrapper's bytes around the alert JSON (seq and at up to 16 digits each). */
export const LINE_OVERHEAD_BYTES = 64;

export function encodeLine(seq: number, at: number, alertJson: string): string {
  return `{"seq":${seq},"at":${at},"alert":${alertJson}}\n`;
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

/** The entry on one line (without its newline), or undefined when the line is not a whole entry. */
export function parseLine(text: string): ParsedLine | undefined {
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
