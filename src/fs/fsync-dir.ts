import { open } from 'node:fs/promises';

/**
 * Makes a file creation, rename or deletion in `dir` durable. fsync of a file covers its data but
 * not the directory entry that names it; without this a new segment could vanish after a power
 * cut even though its lines were synced. Platforms that cannot sync a directory (Windows) are skipped.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}
