import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../../fs/atomic-write.js';
import type { FileLayer } from '../../fs/file-layer.js';

/**
 * The durable acknowledgement: every sequence number up to `acked_through` was delivered. Only
 * the contiguous prefix is stored (acknowledgements past a gap live in memory), and segment files
 * go away once all their lines are acknowledged, so the cursor only matters inside the oldest
 * segment. Losing it (or an older copy surviving a crash) re-sends delivered alerts, which the
 * backend de-duplicates by `secretwatch.alert.id`; it never loses one.
 */
export const CURSOR_FILE = 'acked.json';

/** The stored cursor, or -1 when there is none or it cannot be read. */
export async function readAckCursor(dir: string): Promise<number> {
  try {
    const value = JSON.parse(await readFile(join(dir, CURSOR_FILE), 'utf8')) as { acked_through?: unknown };
    const n = value.acked_through;
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : -1;
  } catch {
    return -1;
  }
}

/** Replaces the cursor atomically (see atomic-write.ts): a crash leaves the old or the new value. */
export async function writeAckCursor(dir: string, ackedThrough: number, files?: FileLayer): Promise<void> {
  await atomicWrite(join(dir, CURSOR_FILE), [Buffer.from(`${JSON.stringify({ acked_through: ackedThrough })}\n`)], files);
}
