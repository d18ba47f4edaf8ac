import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import type { DetectorSnapshot } from '../../detectors/detector.js';
import { SecretwatchError } from '../errors/codes.js';
import { atomicWrite } from '../fs/atomic-write.js';
import type { FileLayer } from '../fs/file-layer.js';

/**
 * The detector's state on disk: `<state dir>/detector.state`, replaced atomically (atomic-write.ts)
 * so a crash leaves either the old state or the new one, never half of each.
 *
 * Layout: the magic `SWSTATE2`, a 4-byte big-endian length, a JSON header (each rule's metadata and
 * the byte length of its engine blob, and `wal_through`: the last write-ahead-log record this
 * state includes), then the blobs in header order, each raw-DEFLATE compressed. Engine snapshots
 * are mostly zeros until traffic fills the sketches, so the file's size follows what is used
 * (a few hundred KB for a quiet sidecar instead of the sketches' full 60 MB) and compression runs
 * on libuv's thread pool, off the event loop. Files of the first layout (`SWSTATE1`, blobs not
 * compressed, no `wal_through`) are still read.
 *
 * Damage (bad magic, truncation, a header of the wrong shape, a blob that does not inflate to its
 * announced size) is `SW_STATE_CORRUPT`, naming the file and the rule; a file that cannot be read
 * at all is `SW_STATE_UNREADABLE`.
 */
const MAGIC_V1 = Buffer.from('SWSTATE1');
const MAGIC_V2 = Buffer.from('SWSTATE2');
export const STATE_FILE_NAME = 'detector.state';
/** Fast level: the blobs are mostly runs of zeros, which every level shrinks to almost nothing. */
const DEFLATE_LEVEL = 1;
const deflate = promisify(deflateRaw);

const headerSchema = z.object({
  saved_at: z.string(),
  wal_through: z.number().int().min(-1).nullable().optional(),
  rules: z.array(
    z.object({
      id: z.string(),
      version: z.number().int(),
      created_at_ms: z.number().nullable(),
      latest_ms: z.number().nullable().optional(),
      throttle: z.array(z.tuple([z.string(), z.number()])),
      engine_bytes: z.number().int().min(0),
      /** v2: the blob's size once inflated. */
      engine_raw_bytes: z.number().int().min(0).optional(),
    }),
  ),
});
type Header = z.infer<typeof headerSchema>;

/** What a state file holds. */
export interface SavedState {
  snapshot: DetectorSnapshot;
  /** Sequence number of the last write-ahead-log record folded into the snapshot; null: none (replay, baseline, or an older file). */
  walThrough: number | null;
  path: string;
  /** Size of the file on disk. */
  bytes: number;
}

export async function saveDetectorState(
  dir: string,
  snapshot: DetectorSnapshot,
  savedAtMs: number,
  options: { walThrough?: number | null; files?: FileLayer } = {},
): Promise<{ path: string; bytes: number }> {
  const blobs = await Promise.all(snapshot.rules.map((r) => deflate(r.engine, { level: DEFLATE_LEVEL })));
  const header: Header = {
    saved_at: new Date(savedAtMs).toISOString(),
    wal_through: options.walThrough ?? null,
    rules: snapshot.rules.map((r, i) => ({
      id: r.id,
      version: r.version,
      created_at_ms: r.created_at_ms,
      latest_ms: r.latest_ms ?? null,
      throttle: r.throttle,
      engine_bytes: (blobs[i] as Buffer).length,
      engine_raw_bytes: r.engine.length,
    })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  const path = join(dir, STATE_FILE_NAME);
  await mkdir(dir, { recursive: true });
  await atomicWrite(path, [MAGIC_V2, length, json, ...blobs], options.files);
  return { path, bytes: 12 + json.length + blobs.reduce((n, b) => n + b.length, 0) };
}

/** The error for a damaged state file: names the file, and the rule when the damage is in one. */
export function stateCorrupt(path: string, why: string, rule?: string): SecretwatchError {
  const where = rule === undefined ? '' : ` (rule ${rule})`;
  return new SecretwatchError('SW_STATE_CORRUPT', `detector state ${path}${where} is damaged: ${why}; move it aside to start fresh`);
}

/** Reads a state file; undefined when there is none yet. A damaged file is a typed error, not a crash. */
export async function loadDetectorState(dir: string): Promise<SavedState | undefined> {
  const path = join(dir, STATE_FILE_NAME);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SecretwatchError('SW_STATE_UNREADABLE', `cannot read detector state ${path}: ${(err as Error).message}`);
  }
  const magic = bytes.subarray(0, 8);
  const compressed = magic.equals(MAGIC_V2);
  if (bytes.length < 12 || (!compressed && !magic.equals(MAGIC_V1))) throw stateCorrupt(path, 'bad magic');
  const jsonLength = bytes.readUInt32BE(8);
  if (12 + jsonLength > bytes.length) throw stateCorrupt(path, 'truncated header');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.subarray(12, 12 + jsonLength).toString('utf8'));
  } catch {
    throw stateCorrupt(path, 'header is not JSON');
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw stateCorrupt(path, `header has the wrong shape (${issue?.path.join('.') || 'header'}: ${issue?.message ?? 'invalid'})`);
  }
  const header = parsed.data;
  let offset = 12 + jsonLength;
  const rules: DetectorSnapshot['rules'] = [];
  for (const r of header.rules) {
    if (offset + r.engine_bytes > bytes.length) throw stateCorrupt(path, 'truncated engine state', r.id);
    const stored = bytes.subarray(offset, offset + r.engine_bytes);
    offset += r.engine_bytes;
    rules.push({
      id: r.id,
      version: r.version,
      created_at_ms: r.created_at_ms,
      latest_ms: r.latest_ms ?? null,
      throttle: r.throttle,
      // A plain Uint8Array copy, not a Buffer view: engines rely on `slice` copying.
      engine: compressed ? inflate(path, r, stored) : new Uint8Array(stored),
    });
  }
  if (offset !== bytes.length) throw stateCorrupt(path, `${bytes.length - offset} bytes after the last rule`);
  return { snapshot: { version: 1, rules }, walThrough: header.wal_through ?? null, path, bytes: bytes.length };
}

function inflate(path: string, rule: Header['rules'][number], stored: Buffer): Uint8Array {
  if (rule.engine_raw_bytes === undefined) throw stateCorrupt(path, 'engine_raw_bytes is missing', rule.id);
  let out: Buffer;
  try {
    out = inflateRawSync(stored, { maxOutputLength: Math.max(1, rule.engine_raw_bytes) });
  } catch (err) {
    throw stateCorrupt(path, `engine state does not inflate (${(err as Error).message})`, rule.id);
  }
  if (out.length !== rule.engine_raw_bytes) throw stateCorrupt(path, `engine state inflates to ${out.length} bytes, not ${rule.engine_raw_bytes}`, rule.id);
  // A plain Uint8Array, not a Buffer: engines rely on `slice` copying, which Buffer's does not.
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
