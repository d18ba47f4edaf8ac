import { open, rename, rm } from 'node:fs/promises';
import { fsyncDir } from './fsync-dir.js';

/**
 * The file operations that durability rests on (open, write, datasync, rename, remove, sync a
 * folder), behind one small interface. The outbox, the write-ahead log, the detector state file
 * and the outbox cursor all go through it, so a test can watch the order of writes and syncs, hold
 * a sync back, or make one fail, with the production code paths unchanged. Reads stay on node:fs:
 * nothing is promised about them.
 */
export interface WritableFile {
  write(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** fdatasync: the data (and the size) reach the disk. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface FileLayer {
  /** `flags` as node:fs (`w`, `wx`, `r+`, `a`). */
  open(path: string, flags: string): Promise<WritableFile>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  remove(path: string): Promise<void>;
  /** Makes the creation, rename or removal of names in `dir` durable. */
  syncDir(dir: string): Promise<void>;
}

/** The real disk: what production uses. */
export const nodeFiles: FileLayer = {
  open: (path, flags) => open(path, flags),
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  syncDir: fsyncDir,
};

/** Positional write that loops until done (a single call may move fewer bytes). */
export async function writeAll(file: WritableFile, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await file.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/** Cuts a file to `size` and syncs it: how a torn tail left by a crash is removed at start. */
export async function truncateDurably(files: FileLayer, path: string, size: number): Promise<void> {
  const file = await files.open(path, 'r+');
  try {
    await file.truncate(size);
    await file.datasync();
  } finally {
    await file.close();
  }
}
