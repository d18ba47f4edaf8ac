import { open } from 'node:fs/promises';
import { decodeRecord, FRAME_HEADER_BYTES, type WalRecord } from './wal-record.js';

/** Bytes read at a time: replay memory stays at about this plus one record, whatever the log's size. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export interface ReadEnd {
  /** Offset after the last whole, intact record. */
  end: number;
  /** What stopped the reading before `limit`: an incomplete record or a damaged one. */
  problem?: { kind: 'short' | 'damaged'; why: string };
}

/**
 * Reads the records of one log file in order, up to `limit` bytes, calling `visit` for each; never
 * holds more than a chunk and one record in memory.
 */
export async function readRecords(path: string, limit: number, visit: (record: WalRecord) => void): Promise<ReadEnd> {
  const handle = await open(path, 'r');
  try {
    let buf = Buffer.alloc(0);
    let bufStart = 0; // file offset of buf[0]
    let fileOffset = 0; // file offset of the next read
    for (;;) {
      let pos = 0;
      for (;;) {
        const r = decodeRecord(buf, pos);
        if (r.kind !== 'record') {
          if (r.kind === 'damaged') return { end: bufStart + pos, problem: { kind: 'damaged', why: r.why } };
          break;
        }
        visit(r.record);
        pos += r.bytes;
      }
      if (fileOffset >= limit) {
        const end = bufStart + pos;
        return end === limit ? { end } : { end, problem: { kind: 'short', why: 'incomplete record' } };
      }
      // Keep the unread tail, then read more; a record larger than a chunk is read whole.
      const tail = buf.subarray(pos);
      const want = Math.min(limit - fileOffset, Math.max(CHUNK_BYTES, announced(tail) - tail.length));
      const next = Buffer.allocUnsafe(tail.length + want);
      tail.copy(next, 0);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(next, tail.length + got, want - got, fileOffset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      bufStart += pos;
      fileOffset += got;
      buf = next.subarray(0, tail.length + got);
      if (got === 0) return { end: bufStart, problem: { kind: 'short', why: 'incomplete record' } };
    }
  } finally {
    await handle.close();
  }
}

/** Bytes of the frame that starts `tail` (0 when not even its header is there). */
function announced(tail: Buffer): number {
  return tail.length >= FRAME_HEADER_BYTES ? FRAME_HEADER_BYTES + tail.readUInt32LE(0) : 0;
}
