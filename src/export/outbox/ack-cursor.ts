import { readFile, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The durable acknowledgement: every sequence number up to `acked_through` was delivered. Only
 * the contiguous prefix is stored (acknowledgements past a gap live in memory), and segment files
 * go away once all their lines are acknowledged, so the cursor only matters inside the oldest
 * segment. Losing it (or an older copy surviving a crash) re-sends delivered alerts, which the
 * backend de-duplicates by `secretwatch.alert.id`; it never loses one.
 */
export const CURSOR_FILE = 'acked.json';
const TMP_SUFFIX = '.tmp';

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

/** Write to a temporary file, sync it, rename over the cursor: a crash leaves the old or the new value. */
export async function writeAckCursor(dir: string, ackedThrough: number): Promise<void> {
  const path = join(dir, CURSOR_FILE);
  const tmp = path + TMP_SUFFIX;
  await writeFile(tmp, `${JSON.stringify({ acked_through: ackedThrough })}\n`);
  const handle = await open(tmp, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}
