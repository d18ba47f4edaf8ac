import { basename, dirname, join } from 'node:path';
import { nodeFiles, writeAll, type FileLayer } from './file-layer.js';

/**
 * The one way secretwatch replaces a file: write a temporary file beside it, fdatasync it, rename
 * it over the target, sync the folder. A crash leaves the old content or the new one, never a mix,
 * and once this resolves the new content survives a power cut. Used by the detector state file,
 * the outbox cursor and the write-ahead log's companions.
 */
export async function atomicWrite(path: string, chunks: readonly Uint8Array[], files: FileLayer = nodeFiles): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${basename(path)}.tmp`);
  const file = await files.open(tmp, 'w');
  let open = true;
  try {
    let position = 0;
    for (const chunk of chunks) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      await writeAll(file, buf, position);
      position += buf.length;
    }
    await file.datasync();
    open = false;
    await file.close();
    await files.rename(tmp, path);
  } catch (err) {
    if (open) await file.close().catch(() => undefined);
    // The old content stays; the temporary file must not (it may be most of a full disk).
    await files.remove(tmp).catch(() => undefined);
    throw err;
  }
  await files.syncDir(dir);
}

/** The temporary name `atomicWrite` uses for `path`: what a crash may leave behind. */
export function atomicWriteTmp(path: string): string {
  return join(dirname(path), `${basename(path)}.tmp`);
}
