import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { DetectorSnapshot } from '../../detectors/detector.js';
import { SecretwatchError } from '../errors/codes.js';

/**
 * The detector's state on disk: `<state dir>/detector.state`, written atomically (temporary file,
 * fsync, rename) so a crash leaves either the old state or the new one, never half of each.
 *
 * Layout: the magic `SWSTATE1`, a 4-byte big-endian length, a JSON header listing each rule's
 * metadata and the byte length of its engine blob, then the blobs in header order.
 */
const MAGIC = Buffer.from('SWSTATE1');
export const STATE_FILE_NAME = 'detector.state';

interface Header {
  saved_at: string;
  rules: { id: string; version: number; created_at_ms: number | null; throttle: [string, number][]; engine_bytes: number }[];
}

export async function saveDetectorState(dir: string, snapshot: DetectorSnapshot, savedAtMs: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const header: Header = {
    saved_at: new Date(savedAtMs).toISOString(),
    rules: snapshot.rules.map((r) => ({
      id: r.id,
      version: r.version,
      created_at_ms: r.created_at_ms,
      throttle: r.throttle,
      engine_bytes: r.engine.length,
    })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  const path = join(dir, STATE_FILE_NAME);
  const tmp = `${path}.tmp-${process.pid}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writev([MAGIC, length, json, ...snapshot.rules.map((r) => r.engine)]);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  return path;
}

/** Reads a state file; undefined when there is none yet. A damaged file is a typed error, not a crash. */
export async function loadDetectorState(dir: string): Promise<DetectorSnapshot | undefined> {
  const path = join(dir, STATE_FILE_NAME);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretwatchError('SW_STATE_UNREADABLE', `cannot read detector state ${path}: ${(err as Error).message}`);
  }
  const corrupt = (why: string): SecretwatchError =>
    new SecretwatchError('SW_STATE_UNREADABLE', `detector state ${path} is damaged (${why}); move it aside to start fresh`);
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(MAGIC)) throw corrupt('bad magic');
  const jsonLength = bytes.readUInt32BE(8);
  if (12 + jsonLength > bytes.length) throw corrupt('truncated header');
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(12, 12 + jsonLength).toString('utf8')) as Header;
  } catch {
    throw corrupt('header is not JSON');
  }
  let offset = 12 + jsonLength;
  const rules: DetectorSnapshot['rules'] = [];
  for (const r of header.rules) {
    if (offset + r.engine_bytes > bytes.length) throw corrupt(`truncated state for rule ${r.id}`);
    rules.push({
      id: r.id,
      version: r.version,
      created_at_ms: r.created_at_ms,
      throttle: r.throttle,
      engine: new Uint8Array(bytes.buffer, bytes.byteOffset + offset, r.engine_bytes),
    });
    offset += r.engine_bytes;
  }
  return { version: 1, rules };
}
