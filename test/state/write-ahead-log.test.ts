import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { encodeRecord } from '../../src/state/wal/wal-record.js';
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

describe('WriteAheadLog', () => {
  it('gives back every synced record after a restart, in order, with its events and clock reading', async () => {
    const { wal } = await WriteAheadLog.open(dir, null);
    const first = [event(0), event(1)];
    const done = await Promise.all([wal.append(1000, first), wal.append(1001, [event(2)]), wal.append(1002, [])]);
    expect(done).toEqual([0, 1, 2]);
    await wal.close();
    const { replay } = await WriteAheadLog.open(dir, null);
    expect(seqs(replay)).toEqual([0, 1, 2]);
    expect(replay[0]?.clockMs).toBe(1000);
    expect(replay[0]?.events).toEqual(first);
  });

  it('writes concurrent appends with one write and one fdatasync (group commit)', async () => {
    const files = new RecordingFiles();
    const { wal } = await WriteAheadLog.open(dir, null, files);
    await wal.append(1, [event(0)]);
    const before = files.ops.length;
    await Promise.all(Array.from({ length: 20 }, (_, i) => wal.append(2, [event(i)])));
    expect(files.ops.slice(before).map((o) => o.op)).toEqual(['write', 'datasync']);
    expect(wal.stats).toMatchObject({ records: 21, syncs: 2 });
  });

  it('replays only the records after the snapshot\'s position, and deletes files the snapshot includes', async () => {
    const { wal } = await WriteAheadLog.open(dir, null);
    await wal.append(1, [event(0)]);
    await wal.append(1, [event(1)]);
    await wal.rotate();
    await wal.append(1, [event(2)]);
    await wal.close();
    expect(await readdir(dir)).toHaveLength(2);
    const { replay, wal: reopened } = await WriteAheadLog.open(dir, 1);
    expect(seqs(replay)).toEqual([2]);
    expect((await readdir(dir)).sort()).toEqual(['wal-0000000000000002.log', 'wal-0000000000000003.log']);
    expect(await reopened.append(1, [])).toBe(3);
    await reopened.dropThrough(2);
    expect(await readdir(dir)).toEqual(['wal-0000000000000003.log']);
  });

  it('cuts a torn last record (a crash mid-write: never acknowledged) and counts its bytes', async () => {
    const { wal } = await WriteAheadLog.open(dir, null);
    await wal.append(1, [event(0)]);
    await wal.close();
    const [name] = await readdir(dir);
    const path = join(dir, name as string);
    const whole = (await stat(path)).size;
    await appendFile(path, encodeRecord(1, 1, [event(1)]).subarray(0, 30));
    const { replay, tornBytes } = await WriteAheadLog.open(dir, null);
    expect(seqs(replay)).toEqual([0]);
    expect(tornBytes).toBe(30);
    expect((await stat(path)).size).toBe(whole);
  });

  it('refuses damage inside an older file and a log that does not continue the snapshot with SW_STATE_CORRUPT, naming the file', async () => {
    const { wal } = await WriteAheadLog.open(dir, null);
    await wal.append(1, [event(0)]);
    await wal.rotate();
    await wal.append(1, [event(1)]);
    await wal.close();
    const first = join(dir, 'wal-0000000000000000.log');
    const bytes = await readFile(first);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff;
    await writeFile(first, bytes);
    await expect(WriteAheadLog.open(dir, null)).rejects.toMatchObject({ code: 'SW_STATE_CORRUPT', message: expect.stringContaining(first) });
    // Without record 0, the log does not continue a snapshot that includes no record (-1).
    await rm(first);
    await expect(WriteAheadLog.open(dir, -1)).rejects.toMatchObject({ code: 'SW_STATE_CORRUPT', message: expect.stringContaining('continues at record 1') });
    // A snapshot that includes every record (saved later than the log): nothing to replay.
    await expect(WriteAheadLog.open(dir, 5)).resolves.toMatchObject({ replay: [] });
  });

  it('after a failed sync rejects that batch and everything behind it, cuts the file back, reuses the numbers after reset()', async () => {
    const files = new RecordingFiles();
    const { wal } = await WriteAheadLog.open(dir, null, files);
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
    expect(seqs(await wal.synced(null))).toEqual([0]);
    wal.reset();
    expect(await wal.append(1, [event(4)])).toBe(1);
    await wal.close();
    const { replay } = await WriteAheadLog.open(dir, null);
    expect(replay.map((r) => r.events[0]?.event_id)).toEqual(['e0', 'e4']);
  });
});
