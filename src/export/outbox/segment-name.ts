/**
 * Segment files are named by the sequence number of their first line, zero-padded so that names
 * sort in append order: `seg-0000000000000042.jsonl`.
 */
const PATTERN = /^seg-(\d{16})\.jsonl$/;

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, '0')}.jsonl`;
}

/** The first sequence number a segment file name carries, or undefined for any other file. */
export function parseSegmentName(name: string): number | undefined {
  const m = PATTERN.exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
