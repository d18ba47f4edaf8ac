import { open } from 'node:fs/promises';

/** Reads `length` bytes at `position`, looping until done (a single read may return fewer). */
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
