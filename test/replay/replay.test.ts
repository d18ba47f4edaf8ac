import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../detectors/detector.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { WHOLE_FILE_MAX_BYTES } from '../../src/input/read-units.js';
import type { InputRef } from '../../src/input/walk.js';
import { replay, type ReplayOptions } from '../../src/replay/replay.js';
import { getSecretValue } from '../support/records.js';

/** Records the events it is given, in order; raises no alerts. */
function recordingDetector(): { detector: Detector; seen: SecretAccessEvent[] } {
  const seen: SecretAccessEvent[] = [];
  const detector = { process: (e: SecretAccessEvent) => (seen.push(e), []), flush: () => [] };
  return { detector: detector as unknown as Detector, seen };
}

const START = Date.UTC(2026, 10, 1, 10);

function line(id: string, timeMs: number, pad = 0): string {
  const record = getSecretValue({ eventID: id, eventTime: new Date(timeMs).toISOString().replace('.000Z', 'Z') });
  // Padding in a field the normalizer ignores, to make a large file of few records.
  if (pad > 0) record.additionalEventData = { pad: 'x'.repeat(pad) };
  return JSON.stringify(record);
}

function fileRef(path: string): InputRef {
  return { kind: 'file', path, size: statSync(path).size };
}

const options: ReplayOptions = { reorderHorizonMs: 60_000, reorderCapacity: 100_000, prescanCacheEvents: 1_000_000, onAlerts: () => undefined };

describe('replay', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-replay-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // A streamed input (over the whole-file limit): 2,000 records on even seconds, each up to 20 s
  // early or late of its place, with CRLF line ends and no newline after the last line.
  const streamedCount = 2000;
  const streamedTimes = Array.from({ length: streamedCount }, (_, i) => START + 2000 * i + 2000 * (((i * 7919) % 21) - 10));
  const streamed = join(dir, 'large.jsonl');
  const pad = Math.ceil((WHOLE_FILE_MAX_BYTES + 1_000_000) / streamedCount);
  writeFileSync(streamed, streamedTimes.map((t, i) => line(`s${i}`, t, pad)).join('\r\n'));

  // A whole input on odd seconds, interleaved with the streamed one, written out of order.
  const wholeTimes = Array.from({ length: 300 }, (_, i) => START + 1000 + 2000 * ((i * 37) % 300));
  const whole = join(dir, 'small.jsonl');
  writeFileSync(whole, `${wholeTimes.map((t, i) => line(`w${i}`, t)).join('\n')}\n{broken\n`);

  it('scores a streamed input in event-time order within the horizon', async () => {
    expect(statSync(streamed).size).toBeGreaterThan(WHOLE_FILE_MAX_BYTES);
    const { detector, seen } = recordingDetector();
    const summary = await replay([fileRef(streamed)], detector, options);
    const expected = streamedTimes.map((t, i) => ({ t, id: `s${i}` })).sort((a, b) => a.t - b.t);
    expect(seen.map((e) => e.event_id)).toEqual(expected.map((e) => e.id));
    expect(summary).toMatchObject({ inputs: 1, records: streamedCount, events: streamedCount, reorderForced: 0 });
    expect(summary.firstEventMs).toBe(expected[0]?.t);
    expect(summary.lastEventMs).toBe(expected.at(-1)?.t);
  });

  it('merges a streamed and a whole input into one time order, counting every record once', async () => {
    const { detector, seen } = recordingDetector();
    const summary = await replay([fileRef(whole), fileRef(streamed)], detector, options);
    const expected = [...streamedTimes.map((t, i) => ({ t, id: `s${i}` })), ...wholeTimes.map((t, i) => ({ t, id: `w${i}` }))].sort((a, b) => a.t - b.t);
    expect(seen.map((e) => e.event_id)).toEqual(expected.map((e) => e.id));
    expect(summary).toMatchObject({ inputs: 2, records: streamedCount + 301, events: streamedCount + 300, reorderForced: 0 });
    expect(summary.stats.rejected).toBe(1);
  });

  it('releases early and counts it when the reorder capacity is exceeded', async () => {
    const { detector, seen } = recordingDetector();
    const summary = await replay([fileRef(streamed)], detector, { ...options, reorderCapacity: 5 });
    expect(seen).toHaveLength(streamedCount);
    expect(summary.reorderForced).toBeGreaterThan(1000);
    expect(new Set(seen.map((e) => e.event_id)).size).toBe(streamedCount);
  });
});
