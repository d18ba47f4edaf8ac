import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CURSOR_FILE, readAckCursor } from './ack-cursor.js';
import { EntryQueue, type Segment } from './entry-queue.js';
import { parseLine } from './entry-line.js';
import { fsyncDir } from './fsync-dir.js';
import { parseSegmentName } from './segment-name.js';

export interface Recovered {
  /** Segment files that still hold unacknowledged lines, oldest first. */
  segments: Segment[];
  queue: EntryQueue;
  /** The next sequence number: above every one seen on disk and above the cursor. */
  nextSeq: number;
  ackedThrough: number;
  liveAlerts: number;
  liveBytes: number;
  diskBytes: number;
  tornLines: number;
  corruptLines: number;
  /** How far the cursor is past the newest line on disk (0 when it is not): a cursor from another outbox or an outbox restored from an older copy. */
  cursorAhead: number;
}

async function truncate(path: string, size: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(size);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/**
 * Rebuilds the index from the segment files after a restart or a crash.
 *
 * - A last line without its newline is a write cut short (kill -9, power cut): its `append` never
 *   resolved, so nobody was told it was stored. It is counted (`torn_lines`) and truncated away so
 *   it is not counted again and the file ends on a whole line.
 * - A whole line that is not an entry (damage) is counted (`corrupt_lines`) and skipped; the lines
 *   around it are kept.
 * - Lines at or below the acknowledgement cursor were delivered; files left with no other line
 *   are deleted.
 */
export async function recoverOutbox(dir: string): Promise<Recovered> {
  await mkdir(dir, { recursive: true });
  const ackedThrough = await readAckCursor(dir);
  const out: Recovered = {
    segments: [],
    queue: new EntryQueue(),
    nextSeq: ackedThrough + 1,
    ackedThrough,
    liveAlerts: 0,
    liveBytes: 0,
    diskBytes: 0,
    tornLines: 0,
    corruptLines: 0,
    cursorAhead: 0,
  };
  const files = (await readdir(dir))
    .map((name) => ({ name, first: parseSegmentName(name) }))
    .filter((f): f is { name: string; first: number } => f.first !== undefined)
    .sort((a, b) => a.first - b.first);
  let lastSeq = -1;
  let deleted = false;
  for (const { name, first } of files) {
    const path = join(dir, name);
    const buf = await readFile(path);
    const segment: Segment = { name, path, bytes: 0, live: 0 };
    out.nextSeq = Math.max(out.nextSeq, first + 1);
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl === -1) {
        out.tornLines++;
        await truncate(path, pos);
        break;
      }
      if (nl > pos) {
        const parsed = parseLine(buf.toString('utf8', pos, nl));
        // Sequence numbers only grow; one that does not is not a line this outbox wrote in order.
        if (parsed === undefined || parsed.seq <= lastSeq) out.corruptLines++;
        else {
          lastSeq = parsed.seq;
          out.nextSeq = Math.max(out.nextSeq, parsed.seq + 1);
          if (parsed.seq > ackedThrough) {
            const length = nl + 1 - pos;
            out.queue.push({ seq: parsed.seq, segment, offset: pos, length, at: parsed.at, acked: false });
            segment.live++;
            out.liveAlerts++;
            out.liveBytes += length;
          }
        }
      }
      pos = nl + 1;
    }
    segment.bytes = pos;
    if (segment.live === 0) {
      await rm(path, { force: true });
      deleted = true;
    } else {
      out.segments.push(segment);
      out.diskBytes += segment.bytes;
    }
  }
  // The cursor only ever names a line that was written, and the file holding it is deleted only
  // once every line in it is acknowledged, so while any line is left the cursor cannot be past it.
  if (lastSeq >= 0 && ackedThrough > lastSeq) out.cursorAhead = ackedThrough - lastSeq;
  await rm(join(dir, `${CURSOR_FILE}.tmp`), { force: true });
  if (deleted) await fsyncDir(dir);
  return out;
}
