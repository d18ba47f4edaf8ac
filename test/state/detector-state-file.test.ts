import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { Detector, type DetectorSnapshot } from '../../detectors/detector.js';
import { defaultRulesDir, loadRules } from '../../detectors/ruleset/load-rules.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { loadDetectorState, saveDetectorState, STATE_FILE_NAME } from '../../src/state/detector-state-file.js';
import { restoreDetector } from '../../src/state/restore-detector.js';
import { event as engineEvent } from '../detectors/engines/events.js';

const rules = loadRules(defaultRulesDir());
const T0 = Date.UTC(2026, 10, 1);
const clock = (): number => T0 + 30 * 86_400_000;

function event(i: number, principals: number): SecretAccessEvent {
  const e = engineEvent({
    at: T0 + i * 1000,
    principal: `arn:aws:iam::111111111111:role/app-${i % principals}`,
    secrets: [`arn:aws:secretsmanager:us-east-1:111111111111:secret:app/s${i % 97}`],
  });
  return { ...e, source: { ip: `10.0.${(i >> 8) & 255}.${i & 255}`, user_agent: 'aws-sdk-go/1.0' }, event_id: `e${i}` };
}

function detectorAfter(events: number, principals: number): Detector {
  const d = new Detector({ rules, clock });
  for (let i = 0; i < events; i++) d.process(event(i, principals));
  return d;
}

const rawBytes = (s: DetectorSnapshot): number => s.rules.reduce((n, r) => n + r.engine.length, 0);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sw-state-'));
});

describe('detector state file', () => {
  it('has a size that follows what is used, not the sketches\' full size (issue 9.4)', async () => {
    const quiet = detectorAfter(21, 3).snapshot();
    const { bytes: quietBytes } = await saveDetectorState(dir, quiet, T0);
    const busy = detectorAfter(20_000, 2_000).snapshot();
    const { bytes: busyBytes } = await saveDetectorState(dir, busy, T0);
    // Measured on this build (reported by the bench's `state` group too): the raw engine state is
    // tens of MB whatever the traffic; the file after 21 events is a small fraction of it.
    expect(rawBytes(quiet)).toBe(rawBytes(busy));
    expect(quietBytes * 50).toBeLessThan(rawBytes(quiet));
    expect(busyBytes).toBeGreaterThan(quietBytes);
    expect((await loadDetectorState(dir))?.bytes).toBe(busyBytes);
  });

  it('restores what it saved: the same engine bytes, throttles, times and log position', async () => {
    const snapshot = detectorAfter(500, 7).snapshot();
    await saveDetectorState(dir, snapshot, T0, { walThrough: 41 });
    const loaded = await loadDetectorState(dir);
    expect(loaded?.walThrough).toBe(41);
    const rest = (r: DetectorSnapshot['rules'][number]): unknown => ({ ...r, engine: r.engine.length });
    expect(loaded?.snapshot.rules.map(rest)).toEqual(snapshot.rules.map(rest));
    // Byte for byte (Buffer.equals: a deep comparison of tens of MB would take minutes).
    const same = snapshot.rules.every((r, i) => Buffer.from(r.engine).equals(Buffer.from(loaded?.snapshot.rules[i]?.engine ?? [])));
    expect(same).toBe(true);
  });

  it('still reads files of the first layout (SWSTATE1, blobs not compressed, no log position)', async () => {
    const snapshot = detectorAfter(50, 3).snapshot();
    const header = Buffer.from(
      JSON.stringify({
        saved_at: new Date(T0).toISOString(),
        rules: snapshot.rules.map((r) => ({ id: r.id, version: r.version, created_at_ms: r.created_at_ms, throttle: r.throttle, engine_bytes: r.engine.length })),
      }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    await writeFile(join(dir, STATE_FILE_NAME), Buffer.concat([Buffer.from('SWSTATE1'), length, header, ...snapshot.rules.map((r) => Buffer.from(r.engine))]));
    const loaded = await loadDetectorState(dir);
    expect(loaded?.walThrough).toBeNull();
    const d = new Detector({ rules, clock });
    expect(restoreDetector(d, loaded!).restored).toHaveLength(rules.filter((r) => r.spec.enabled).length);
  });

  it('calls a header of the wrong shape damaged (SW_STATE_CORRUPT naming the file), not a type error (issue 9.10)', async () => {
    const path = join(dir, STATE_FILE_NAME);
    const header = Buffer.from(JSON.stringify({ saved_at: 'x', rules: { id: 'not a list' } }));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    await writeFile(path, Buffer.concat([Buffer.from('SWSTATE2'), length, header]));
    await expect(loadDetectorState(dir)).rejects.toMatchObject({ code: 'SW_STATE_CORRUPT', message: expect.stringContaining(`${path}`) });
    await expect(loadDetectorState(dir)).rejects.toThrow(/wrong shape \(rules:/);
    await writeFile(path, 'SWSTATE9 garbage');
    await expect(loadDetectorState(dir)).rejects.toMatchObject({ code: 'SW_STATE_CORRUPT', message: expect.stringContaining('bad magic') });
  });

  it('names the file and the rule when one rule\'s engine state is damaged (SW_STATE_CORRUPT)', async () => {
    const snapshot = detectorAfter(50, 3).snapshot();
    const { path } = await saveDetectorState(dir, snapshot, T0);
    // The rule with the largest engine state (a sketch engine that checks its snapshot), not the first.
    const index = snapshot.rules.reduce((best, r, i) => (r.engine.length > (snapshot.rules[best]?.engine.length ?? 0) ? i : best), 0);
    expect(index).toBeGreaterThan(0);
    const victim = snapshot.rules[index]!.id;
    // Damage inside the compressed blob: it no longer inflates to its size.
    const bytes = await readFile(path);
    const headerEnd = 12 + bytes.readUInt32BE(8);
    const header = JSON.parse(bytes.subarray(12, headerEnd).toString()) as { rules: { id: string; engine_bytes: number }[] };
    const offset = headerEnd + header.rules.slice(0, index).reduce((n, r) => n + r.engine_bytes, 0);
    const damaged = Buffer.from(bytes);
    damaged.fill(0xff, offset, offset + 4);
    await writeFile(path, damaged);
    await expect(loadDetectorState(dir)).rejects.toMatchObject({ code: 'SW_STATE_CORRUPT', message: expect.stringContaining(`${path} (rule ${victim})`) });
    // Damage that inflates fine but breaks the engine snapshot's own checksum.
    const blob = Buffer.from(inflateRawSync(bytes.subarray(offset, offset + (header.rules[index]?.engine_bytes ?? 0))));
    blob[20] = (blob[20] ?? 0) ^ 0xff;
    const snapshotDamaged: DetectorSnapshot = { ...snapshot, rules: snapshot.rules.map((r) => (r.id === victim ? { ...r, engine: blob } : r)) };
    await saveDetectorState(dir, snapshotDamaged, T0);
    const loaded = await loadDetectorState(dir);
    expect(() => restoreDetector(new Detector({ rules, clock }), loaded!)).toThrow(
      expect.objectContaining({ code: 'SW_STATE_CORRUPT', message: expect.stringMatching(new RegExp(`${path}.*rule ${victim}`)) }),
    );
  });
});
