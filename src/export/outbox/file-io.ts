import { open, type FileHandle } from 'node:fs/promises';

/** Positional writes and reads that loop until done (a single call may move fewer bytes). */
export async function writeAll(handle: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

export async function readExactly(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buf, done, length - done, position + done);
      if (bytesRead === 0) throw new Error(`${path} is shorter than expected (${position + done} bytes)`);
      done += bytesRead;
    }
    return buf;
  } finally {
    await handle.close();
  }
}
