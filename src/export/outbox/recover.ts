import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteTmp } from '../../fs/atomic-write.js';
import { truncateDurably, type FileLayer } from '../../fs/file-layer.js';
import { CURSOR_FILE, readAckCursor } from './ack-cursor.js';
import { EntryQueue, type Segment } from './entry-queue.js';
import { parseLine, type ParsedLine } from './entry-line.js';
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
  /** How far the cursor was past the newest line on disk (0 when it was not); such a cursor is not trusted (see types.ts). */
  cursorAhead: number;
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
 * - A cursor past the newest line on disk is one this outbox did not write (segment files are
 *   deleted only after the cursor covers them, so the newest line written survives until then):
 *   an edited or misplaced `acked.json`. It is reported (`cursorAhead`) and not trusted: every
 *   line on disk is sent again, since a duplicate (same alert id) is harmless and a loss is not.
 */
export async function recoverOutbox(dir: string, files: FileLayer): Promise<Recovered> {
  await mkdir(dir, { recursive: true });
  const storedCursor = await readAckCursor(dir);
  const segmentFiles = await readSegments(dir, files);
  const highest = segmentFiles.reduce((n, f) => f.lines.reduce((m, l) => Math.max(m, l.entry?.seq ?? -1), n), -1);
  const cursorAhead = highest >= 0 && storedCursor > highest ? storedCursor - highest : 0;
  const ackedThrough = cursorAhead > 0 ? -1 : storedCursor;
  const out: Recovered = {
    segments: [],
    queue: new EntryQueue(),
    // Above the stored cursor even when it is not trusted: a sequence number is never reused.
    nextSeq: storedCursor + 1,
    ackedThrough,
    liveAlerts: 0,
    liveBytes: 0,
    diskBytes: 0,
    tornLines: segmentFiles.reduce((n, f) => n + f.torn, 0),
    corruptLines: 0,
    cursorAhead,
  };
  let lastSeq = -1;
  let deleted = false;
  for (const { name, path, first, lines, bytes } of segmentFiles) {
    const segment: Segment = { name, path, bytes, live: 0 };
    out.nextSeq = Math.max(out.nextSeq, first + 1);
    for (const { entry, offset, length } of lines) {
      // Sequence numbers only grow; one that does not is not a line this outbox wrote in order.
      if (entry === undefined || entry.seq <= lastSeq) {
        out.corruptLines++;
        continue;
      }
      lastSeq = entry.seq;
      out.nextSeq = Math.max(out.nextSeq, entry.seq + 1);
      if (entry.seq <= ackedThrough) continue;
      out.queue.push({ seq: entry.seq, segment, offset, length, at: entry.at, acked: false });
      segment.live++;
      out.liveAlerts++;
      out.liveBytes += length;
    }
    if (segment.live === 0) {
      await files.remove(path);
      deleted = true;
    } else {
      out.segments.push(segment);
      out.diskBytes += segment.bytes;
    }
  }
  await files.remove(atomicWriteTmp(join(dir, CURSOR_FILE)));
  if (deleted) await files.syncDir(dir);
  return out;
}

interface SegmentFile {
  name: string;
  path: string;
  first: number;
  /** Whole lines, with the entry each holds (undefined: damaged). */
  lines: { entry: ParsedLine | undefined; offset: number; length: number }[];
  /** Size after cutting a torn tail. */
  bytes: number;
  torn: number;
}

/** Every segment file in append order, parsed line by line; a torn last line is truncated away. */
async function readSegments(dir: string, files: FileLayer): Promise<SegmentFile[]> {
  const names = (await readdir(dir))
    .map((name) => ({ name, first: parseSegmentName(name) }))
    .filter((f): f is { name: string; first: number } => f.first !== undefined)
    .sort((a, b) => a.first - b.first);
  const out: SegmentFile[] = [];
  for (const { name, first } of names) {
    const path = join(dir, name);
    const buf = await readFile(path);
    const file: SegmentFile = { name, path, first, lines: [], bytes: 0, torn: 0 };
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl === -1) {
        file.torn++;
        await truncateDurably(files, path, pos);
        break;
      }
      if (nl > pos) file.lines.push({ entry: parseLine(buf.toString('utf8', pos, nl)), offset: pos, length: nl + 1 - pos });
      pos = nl + 1;
    }
    file.bytes = pos;
    out.push(file);
  }
  return out;
}
