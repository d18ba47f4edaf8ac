import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretwatchError } from '../../src/errors/codes.js';
import { encodeLine, LINE_OVERHEAD_BYTES } from '../../src/export/outbox/entry-line.js';
import { Outbox } from '../../src/export/outbox/outbox.js';
import type { Alert } from '../../detectors/alerts/alert.js';
import { RecordingFiles } from '../support/recording-files.js';
import { alertId, makeAlert, makeAlerts } from '../support/alerts.js';

let dir: string;
const open: Outbox[] = [];

async function openOutbox(options: Partial<Parameters<typeof Outbox.open>[0]> = {}): Promise<Outbox> {
  const outbox = await Outbox.open({ dir, ...options });
  open.push(outbox);
  return outbox;
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('seg-')).sort();
}

async function rejection(p: Promise<unknown>): Promise<SecretwatchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SecretwatchError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sw-outbox-'));
});

afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Outbox', () => {
  it('returns appended alerts in order, without removing them, until acknowledged', async () => {
    const outbox = await openOutbox();
    await outbox.append(makeAlerts(0, 3));
    await outbox.append(makeAlerts(3, 2));
    const first = await outbox.peek(10);
    expect(first.map((e) => alertId(e.alert))).toEqual(['alert-000000', 'alert-000001', 'alert-000002', 'alert-000003', 'alert-000004']);
    expect(first.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(first[0]?.alert).toEqual(makeAlert(0));
    expect((await outbox.peek(2)).map((e) => e.seq)).toEqual([0, 1]);
    await outbox.ack([0, 1]);
    expect((await outbox.peek(10)).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(outbox.stats).toMatchObject({ appended: 5, acked: 2 });
  });

  it('limits a peek by bytes but always returns at least one alert', async () => {
    const outbox = await openOutbox();
    await outbox.append(makeAlerts(0, 4));
    const one = (await outbox.peek(10, 1)).length;
    expect(one).toBe(1);
    const lineBytes = outbox.depth().bytes / 4;
    expect((await outbox.peek(10, lineBytes * 2 + 1)).length).toBe(2);
  });

  it('reports depth in alerts and bytes and the age of the oldest alert from its clock', async () => {
    let now = 1_000_000;
    const outbox = await openOutbox({ now: () => now });
    expect(outbox.depth()).toEqual({ alerts: 0, bytes: 0, disk_bytes: 0, segments: 0, oldest_age_ms: 0 });
    await outbox.append(makeAlerts(0, 2));
    now += 5_000;
    await outbox.append(makeAlerts(2, 1));
    now += 2_500;
    const depth = outbox.depth();
    expect(depth.alerts).toBe(3);
    expect(depth.oldest_age_ms).toBe(7_500);
    const file = (await segmentFiles())[0] as string;
    expect(depth.bytes).toBe((await stat(join(dir, file))).size);
    expect(depth.disk_bytes).toBe(depth.bytes);
    await outbox.ack([0, 1]);
    expect(outbox.depth().oldest_age_ms).toBe(2_500);
    expect((await outbox.peek(1))[0]?.appended_at).toBe(1_005_000);
  });

  it('keeps an out-of-order acknowledgement until the ones before it are acknowledged', async () => {
    const outbox = await openOutbox();
    await outbox.append(makeAlerts(0, 3));
    await outbox.ack([1]);
    expect((await outbox.peek(10)).map((e) => e.seq)).toEqual([0, 2]);
    expect(outbox.depth().alerts).toBe(2);
    await outbox.ack([1, 99]); // repeated and unknown numbers are ignored
    expect(outbox.stats.acked).toBe(1);
    await outbox.ack([0]);
    expect((await outbox.peek(10)).map((e) => e.seq)).toEqual([2]);
  });

  it('writes concurrent appends in call order (group commit) and resolves each', async () => {
    const outbox = await openOutbox();
    await Promise.all(Array.from({ length: 20 }, (_, i) => outbox.append([makeAlert(i)])));
    const entries = await outbox.peek(100);
    expect(entries.map((e) => alertId(e.alert))).toEqual(Array.from({ length: 20 }, (_, i) => makeAlert(i).attributes['secretwatch.alert.id']));
  });

  it('rotates segments at segment_max_bytes and deletes a segment once all its alerts are acknowledged', async () => {
    const outbox = await openOutbox({ segment_max_bytes: 2_000 });
    for (let i = 0; i < 6; i++) await outbox.append([makeAlert(i)]);
    const files = await segmentFiles();
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files[0]).toBe('seg-0000000000000000.jsonl');
    for (const f of files) expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(2_000);
    const entries = await outbox.peek(100);
    // Acknowledge everything in the first file: it goes; the others stay.
    const firstFileLines = (await readFile(join(dir, files[0] as string), 'utf8')).trim().split('\n').length;
    await outbox.ack(entries.slice(0, firstFileLines).map((e) => e.seq));
    expect(await segmentFiles()).toEqual(files.slice(1));
    await outbox.ack(entries.map((e) => e.seq));
    expect(await segmentFiles()).toEqual([]);
    expect(outbox.depth()).toMatchObject({ alerts: 0, bytes: 0, disk_bytes: 0, segments: 0 });
    // And the next append starts a new file after the last sequence number.
    await outbox.append([makeAlert(50)]);
    expect(await segmentFiles()).toEqual(['seg-0000000000000006.jsonl']);
  });

  it('after a restart re-delivers exactly the unacknowledged alerts, and numbers new ones after them', async () => {
    const first = await Outbox.open({ dir });
    await first.append(makeAlerts(0, 5));
    await first.ack([0, 1, 3]);
    await first.close();
    const second = await openOutbox();
    expect(second.stats.recovered).toBe(3);
    expect((await second.peek(10)).map((e) => [e.seq, alertId(e.alert)])).toEqual([
      [2, 'alert-000002'],
      [3, 'alert-000003'], // acknowledged past a gap: only the contiguous prefix is durable
      [4, 'alert-000004'],
    ]);
    await second.append([makeAlert(9)]);
    expect((await second.peek(10)).map((e) => e.seq)).toEqual([2, 3, 4, 5]);
  });

  it('recovers after a torn last line: skips and counts it, keeps every whole line, truncates the file', async () => {
    const first = await Outbox.open({ dir });
    await first.append(makeAlerts(0, 3));
    await first.close();
    const file = join(dir, (await segmentFiles())[0] as string);
    const whole = (await stat(file)).size;
    // What kill -9 in the middle of a write leaves: part of a line, no newline.
    await appendFile(file, '{"seq":3,"at":1,"alert":{"time":"2024-07-31T12:00:00.000Z","obs');
    const second = await openOutbox();
    expect(second.stats).toMatchObject({ torn_lines: 1, corrupt_lines: 0, recovered: 3 });
    expect((await stat(file)).size).toBe(whole);
    expect((await second.peek(10)).map((e) => alertId(e.alert))).toEqual(['alert-000000', 'alert-000001', 'alert-000002']);
    await second.append([makeAlert(3)]);
    expect((await second.peek(10)).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    await second.close();
    open.splice(0);
    const third = await openOutbox();
    expect(third.stats).toMatchObject({ torn_lines: 0, recovered: 4 });
  });

  it('skips and counts a damaged line in the middle, keeping the lines around it', async () => {
    const first = await Outbox.open({ dir });
    await first.append(makeAlerts(0, 3));
    await first.close();
    const file = join(dir, (await segmentFiles())[0] as string);
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[1] = '{"seq":1,"at":1,"alert":"not an alert"}';
    await writeFile(file, lines.join('\n'));
    const second = await openOutbox();
    expect(second.stats).toMatchObject({ torn_lines: 0, corrupt_lines: 1, recovered: 2 });
    expect((await second.peek(10)).map((e) => alertId(e.alert))).toEqual(['alert-000000', 'alert-000002']);
  });

  it('reports a cursor past the newest line on disk (cursor_ahead), and none after ordinary acknowledgements', async () => {
    const first = await Outbox.open({ dir });
    await first.append(makeAlerts(0, 4));
    await first.ack([0, 1]);
    await first.close();
    const second = await openOutbox();
    expect(second.stats).toMatchObject({ cursor_ahead: 0, recovered: 2 });
    await second.ack([2, 3]);
    await second.close();
    open.splice(0);
    // Everything delivered and the files deleted: the cursor names the last line ever written.
    expect((await openOutbox()).stats.cursor_ahead).toBe(0);
    await open.splice(0)[0]?.close();
    const third = await Outbox.open({ dir });
    await third.append(makeAlerts(4, 2)); // seq 4 and 5
    await third.close();
    // A cursor from elsewhere (another outbox, or files restored from an older copy).
    await writeFile(join(dir, 'acked.json'), '{"acked_through":50}\n');
    expect((await openOutbox()).stats.cursor_ahead).toBe(45);
  });

  it('deletes a segment that holds nothing but a torn line (killed before the first write completed)', async () => {
    await writeFile(join(dir, 'seg-0000000000000000.jsonl'), '{"seq":0,"at":1,"al');
    const outbox = await openOutbox();
    expect(outbox.stats.torn_lines).toBe(1);
    expect(await segmentFiles()).toEqual([]);
    await outbox.append([makeAlert(0)]);
    expect((await outbox.peek(1))[0]?.seq).toBe(1);
  });

  it('refuses an append that would pass max_alerts with SW_OUTBOX_FULL, stores none of it, and counts it', async () => {
    const outbox = await openOutbox({ max_alerts: 3 });
    await outbox.append(makeAlerts(0, 2));
    const err = await rejection(outbox.append(makeAlerts(2, 2)));
    expect(err.code).toBe('SW_OUTBOX_FULL');
    expect(err.message).toContain('max_alerts 3');
    expect(outbox.stats.rejected_full).toBe(2);
    expect(outbox.depth().alerts).toBe(2);
    // After a refusal, callers are told there is no room until an acknowledgement frees some,
    // so that they refuse work before doing it; an append that fits is still taken.
    expect(outbox.hasRoom()).toBe(false);
    await outbox.append([makeAlert(2)]);
    expect(outbox.hasRoom()).toBe(false);
    expect((await rejection(outbox.append([makeAlert(3)]))).code).toBe('SW_OUTBOX_FULL');
    // Room again once the sender acknowledges.
    await outbox.ack([0]);
    await outbox.append([makeAlert(3)]);
    expect((await outbox.peek(10)).map((e) => alertId(e.alert))).toEqual(['alert-000001', 'alert-000002', 'alert-000003']);
    expect(outbox.stats.rejected_full).toBe(3);
  });

  it('refuses an append that would pass max_bytes on disk', async () => {
    const reserved = Buffer.byteLength(JSON.stringify(makeAlert(0))) + LINE_OVERHEAD_BYTES;
    const outbox = await openOutbox({ max_bytes: 2 * reserved + 10 });
    await outbox.append([makeAlert(0)]);
    await outbox.append([makeAlert(1)]);
    const err = await rejection(outbox.append([makeAlert(2)]));
    expect(err.code).toBe('SW_OUTBOX_FULL');
    expect(outbox.depth().disk_bytes).toBeLessThanOrEqual(2 * reserved + 10);
    // A single batch larger than the whole outbox can never fit.
    const big = makeAlert(3, { body: 'x'.repeat(3 * reserved) });
    await outbox.ack([0, 1]);
    expect((await rejection(outbox.append([big]))).code).toBe('SW_OUTBOX_FULL');
  });

  it('counts appends waiting for the disk against the bound', async () => {
    const outbox = await openOutbox({ max_alerts: 2 });
    const a = outbox.append([makeAlert(0)]);
    const b = outbox.append([makeAlert(1)]);
    const c = rejection(outbox.append([makeAlert(2)]));
    await Promise.all([a, b]);
    expect((await c).code).toBe('SW_OUTBOX_FULL');
  });

  it('allows one outbox per folder, and takes over the lock of a dead process', async () => {
    await openOutbox();
    expect((await rejection(Outbox.open({ dir }))).code).toBe('SW_OUTBOX_LOCKED');
    await open.splice(0)[0]?.close();
    // A lock file left by a kill -9: its pid is not alive any more.
    await writeFile(join(dir, 'outbox.lock'), '999999999\n');
    const outbox = await openOutbox();
    await outbox.append([makeAlert(0)]);
    expect(outbox.depth().alerts).toBe(1);
  });

  it('refuses a folder locked by a live process', async () => {
    await writeFile(join(dir, 'outbox.lock'), `${process.ppid}\n`);
    const err = await rejection(Outbox.open({ dir }));
    expect(err.code).toBe('SW_OUTBOX_LOCKED');
    expect(err.message).toContain(`process ${process.ppid}`);
  });

  it('rejects use after close with SW_OUTBOX_CLOSED and writes what was appended before close', async () => {
    const outbox = await Outbox.open({ dir });
    const pending = outbox.append(makeAlerts(0, 2));
    await outbox.close();
    await pending;
    expect((await rejection(outbox.append([makeAlert(2)]))).code).toBe('SW_OUTBOX_CLOSED');
    expect((await rejection(outbox.peek(1))).code).toBe('SW_OUTBOX_CLOSED');
    await outbox.close(); // idempotent
    const again = await openOutbox();
    expect(again.depth().alerts).toBe(2);
  });

  it('names a bad option', async () => {
    const err = await rejection(Outbox.open({ dir, max_alerts: 0 }));
    expect(err.code).toBe('SW_CONFIG_INVALID');
    expect(err.message).toContain('outbox.max_alerts');
  });

  it('holds only an index in memory: a peek reads alerts back from disk', async () => {
    const outbox = await openOutbox();
    await outbox.append([makeAlert(0)]);
    const file = join(dir, (await segmentFiles())[0] as string);
    // Same length, different content, checksum fixed up: what peek returns comes from the file.
    const text = await readFile(file, 'utf8');
    const line = JSON.parse(text) as { seq: number; at: number; alert: Alert };
    line.alert.attributes['secretwatch.alert.id'] = 'alert-00000X';
    await writeFile(file, encodeLine(line.seq, line.at, JSON.stringify(line.alert)));
    expect(alertId((await outbox.peek(1))[0]!.alert)).toBe('alert-00000X');
    // A line edited after it was synced fails its checksum: counted and never sent, not blocking.
    await writeFile(file, text.replace('alert-000000', 'alert-00000Y'));
    await outbox.append([makeAlert(1)]);
    expect((await outbox.peek(10)).map((e) => e.seq)).toEqual([1]);
    expect(outbox.stats.corrupt_lines).toBe(1);
  });

  it('refuses an edited line at open: counted, never sent, the lines around it kept', async () => {
    const first = await openOutbox();
    await first.append(makeAlerts(0, 3));
    await first.close();
    open.splice(0);
    const file = join(dir, (await segmentFiles())[0] as string);
    await writeFile(file, (await readFile(file, 'utf8')).replace('alert-000001', 'alert-99999X'));
    const outbox = await openOutbox();
    expect(outbox.stats.corrupt_lines).toBe(1);
    expect((await outbox.peek(10)).map((e) => alertId(e.alert))).toEqual(['alert-000000', 'alert-000002']);
  });

  it('detects a cursor beyond the newest line on disk and sends the lines again instead of dropping them', async () => {
    const first = await openOutbox();
    await first.append(makeAlerts(0, 2));
    await first.close();
    open.splice(0);
    await writeFile(join(dir, 'acked.json'), '{"acked_through":500}\n');
    const outbox = await openOutbox();
    expect(outbox.stats.cursor_ahead).toBe(499);
    expect((await outbox.peek(10)).map((e) => e.seq)).toEqual([0, 1]);
    // New lines are numbered past the stored cursor: no number is reused.
    await outbox.append([makeAlert(2)]);
    expect((await outbox.peek(10)).map((e) => e.seq)).toEqual([0, 1, 501]);
  });

  it('resolves an append only after its write is fdatasync\'d, through the file layer', async () => {
    const files = new RecordingFiles();
    const outbox = await openOutbox({ files });
    const release = files.holdNext('datasync');
    let resolved = false;
    const appended = outbox.append([makeAlert(0)]).then(() => (resolved = true));
    await files.waitFor('datasync');
    await new Promise((r) => setTimeout(r, 30));
    expect(resolved).toBe(false);
    release();
    await appended;
    expect(files.ops.filter((o) => o.path.includes('seg-')).map((o) => o.op)).toEqual(['open', 'write', 'datasync']);
  });

  it('a failed datasync fails the append and stores nothing: the next append is the only line', async () => {
    const files = new RecordingFiles();
    const outbox = await openOutbox({ files });
    files.failNext('datasync', 'EIO');
    expect((await rejection(outbox.append([makeAlert(0)]))).code).toBe('SW_OUTBOX_IO');
    expect(outbox.stats.write_errors).toBe(1);
    expect(outbox.depth().alerts).toBe(0);
    await outbox.append([makeAlert(1)]);
    expect((await outbox.peek(10)).map((e) => alertId(e.alert))).toEqual(['alert-000001']);
    await outbox.close();
    open.splice(0);
    const reopened = await openOutbox();
    expect((await reopened.peek(10)).map((e) => alertId(e.alert))).toEqual(['alert-000001']);
  });
});
