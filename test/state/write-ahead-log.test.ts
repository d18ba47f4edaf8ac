import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { encodeRecord } from '../../src/state/wal/wal-record.js';
import { nodeFiles, type FileLayer } from '../../src/fs/file-layer.js';
import type { WalRecord } from '../../src/state/wal/wal-record.js';
import { WriteAheadLog } from '../../src/state/wal/write-ahead-log.js';
import { event as engineEvent } from '../detectors/engines/events.js';
import { RecordingFiles } from '../support/recording-files.js';

function event(i: number): SecretAccessEvent {
  return { ...engineEvent({ at: 1_800_000_000_000 + i, secrets: [`app/s${i}`] }), event_id: `e${i}` };
}

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'sw-wal-')), 'wal');
});

const seqs = (records: { seq: number }[]): number[] => records.map((r) => r.seq);

/** Opens the log, collecting the records it replays. */
async function openWal(at: string, walThrough: number | null, files: FileLayer = nodeFiles): Promise<{ wal: WriteAheadLog; replay: WalRecord[]; tornBytes: number }> {
  const replay: WalRecord[] = [];
  const { wal, tornBytes } = await WriteAheadLog.open(at, walThrough, files, (r) => replay.push(r));
  return { wal, replay, tornBytes };
}

async function synced(wal: WriteAheadLog, after: number | null): Promise<WalRecord[]> {
  const out: WalRecord[] = [];
  await wal.replaySynced(after, (r) => out.push(r));
  return out;
}

describe('WriteAheadLog', () => {
  it('gives back every synced record after a restart, in order, with its events and clock reading', async () => {
    const { wal } = await openWal(dir, null);
    const first = [event(0), event(1)];
    const done = await Promise.all([wal.append(1000, first), wal.append(1001, [event(2)]), wal.append(1002, [])]);
    expect(done).toEqual([0, 1, 2]);
    await wal.close();
    const { replay } = await openWal(dir, null);
    expect(seqs(replay)).toEqual([0, 1, 2]);
    expect(replay[0]?.clockMs).toBe(1000);
    expect(replay[0]?.events).toEqual(first);
  });

  it('writes concurrent appends with one write and one fdatasync (group commit)', async () => {
    const files = new RecordingFiles();
    const { wal } = await openWal(dir, null, files);
    await wal.append(1, [event(0)]);
    const before = files.ops.length;
    await Promise.all(Array.from({ length: 20 }, (_, i) => wal.append(2, [event(i)])));
    expect(files.ops.slice(before).map((o) => o.op)).toEqual(['write', 'datasync']);
    expect(wal.stats).toMatchObject({ records: 21, syncs: 2 });
  });

  it('replays only the records after the snapshot\'s position, and deletes files the snapshot includes', async () => {
    const { wal } = await openWal(dir, null);
    await wal.append(1, [event(0)]);
    await wal.append(1, [event(1)]);
    await wal.rotate();
    await wal.append(1, [event(2)]);
    await wal.close();
    expect(await readdir(dir)).toHaveLength(2);
    const { replay, wal: reopened } = await openWal(dir, 1);
    expect(seqs(replay)).toEqual([2]);
    expect((await readdir(dir)).sort()).toEqual(['wal-0000000000000002.log', 'wal-0000000000000003.log']);
    expect(await reopened.append(1, [])).toBe(3);
    await reopened.dropThrough(2);
    expect(await readdir(dir)).toEqual(['wal-0000000000000003.log']);
  });

  it('cuts a torn last record (a crash mid-write: never acknowledged) and counts its bytes', async () => {
    const { wal } = await openWal(dir, null);
    await wal.append(1, [event(0)]);
    await wal.close();
    const [name] = await readdir(dir);
    const path = join(dir, name as string);
    const whole = (await stat(path)).size;
    await appendFile(path, encodeRecord(1, 1, [event(1)]).subarray(0, 30));
    const { replay, tornBytes } = await openWal(dir, null);
    expect(seqs(replay)).toEqual([0]);
    expect(tornBytes).toBe(30);
    expect((await stat(path)).size).toBe(whole);
  });

  it('refuses damage inside an older file and a log that does not continue the snapshot with SW_STATE_CORRUPT, naming the file', async () => {
    const { wal } = await openWal(dir, null);
    await wal.append(1, [event(0)]);
    await wal.rotate();
    await wal.append(1, [event(1)]);
    await wal.close();
    const first = join(dir, 'wal-0000000000000000.log');
    const bytes = await readFile(first);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff;
    await writeFile(first, bytes);
    await expect(openWal(dir, null)).rejects.toMatchObject({ code: 'SW_STATE_CORRUPT', message: expect.stringContaining(first) });
    // Without record 0, the log does not continue a snapshot that includes no record (-1).
    await rm(first);
    await expect(openWal(dir, -1)).rejects.toMatchObject({ code: 'SW_STATE_CORRUPT', message: expect.stringContaining('continues at record 1') });
    // A snapshot that includes every record (saved later than the log): nothing to replay.
    await expect(openWal(dir, 5)).resolves.toMatchObject({ replay: [] });
  });

  it('after a failed sync rejects that batch and everything behind it, cuts the file back, reuses the numbers after reset()', async () => {
    const files = new RecordingFiles();
    const { wal } = await openWal(dir, null, files);
    await wal.append(1, [event(0)]);
    const release = files.holdNext('datasync');
    files.failNext('datasync', 'EIO');
    const failing = wal.append(1, [event(1)]);
    await files.waitFor('datasync');
    const behind = wal.append(1, [event(2)]);
    release();
    await expect(failing).rejects.toMatchObject({ code: 'SW_WAL_IO' });
    await expect(behind).rejects.toMatchObject({ code: 'SW_WAL_IO' });
    await expect(wal.append(1, [event(3)])).rejects.toMatchObject({ code: 'SW_WAL_IO' });
    expect(seqs(await synced(wal, null))).toEqual([0]);
    wal.reset();
    expect(await wal.append(1, [event(4)])).toBe(1);
    await wal.close();
    const { replay } = await openWal(dir, null);
    expect(replay.map((r) => r.events[0]?.event_id)).toEqual(['e0', 'e4']);
  });

  it('replays a log much larger than its read buffer, and a record larger than it, in order', async () => {
    const { wal } = await openWal(dir, null);
    const big = Array.from({ length: 12_000 }, (_, i) => event(i));
    for (let r = 0; r < 5; r++) await wal.append(r, r === 2 ? big : [event(r)]);
    await wal.close();
    expect((await stat(join(dir, 'wal-0000000000000000.log'))).size).toBeGreaterThan(4 * 1024 * 1024);
    const { replay } = await openWal(dir, null);
    expect(seqs(replay)).toEqual([0, 1, 2, 3, 4]);
    expect(replay[2]?.events).toHaveLength(12_000);
    expect(replay[2]?.events[11_999]?.event_id).toBe('e11999');
  });
});
