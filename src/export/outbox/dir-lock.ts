import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretwatchError } from '../../errors/codes.js';

/**
 * One outbox per folder: two writers would interleave lines and acknowledge each other's alerts.
 * The lock file holds the owner's pid. After a kill -9 the file stays behind; a later process takes
 * it over when that pid is no longer alive, or when it is its own pid (a container restart gives
 * the new process the same pid 1). Outboxes of this process are tracked in memory.
 */
export const LOCK_FILE = 'outbox.lock';

const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function locked(dir: string, detail: string): SecretwatchError {
  return new SecretwatchError('SW_OUTBOX_LOCKED', `outbox ${dir} is in use ${detail}; give each secretwatch process its own outbox dir`);
}

/** Takes the folder's lock; resolves to the function that releases it. `dir` must be an absolute path. */
export async function lockDir(dir: string): Promise<() => Promise<void>> {
  if (heldHere.has(dir)) throw locked(dir, 'by another outbox in this process');
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(dir);
      return async () => {
        heldHere.delete(dir);
        if ((await readOwner(path)) === process.pid) await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SecretwatchError('SW_OUTBOX_IO', `cannot create ${path}: ${(err as Error).message}`, { cause: err });
      }
      const owner = await readOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw locked(dir, `by process ${owner}`);
      // Stale: the owner is gone (or the file is empty: killed between create and write).
      await rm(path, { force: true });
    }
  }
  throw locked(dir, 'by a process that keeps re-creating the lock');
}
