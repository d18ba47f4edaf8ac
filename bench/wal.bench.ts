import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector } from '../detectors/detector.js';
import { defaultRulesDir, loadRules } from '../detectors/ruleset/load-rules.js';
import { allFormats } from '../normalizers/index.js';
import type { SecretAccessEvent } from '../normalizers/schema.js';
import { InputCursor } from '../src/decode/cursor.js';
import { Decoder } from '../src/decode/decoder.js';
import { nodeFiles } from '../src/fs/file-layer.js';
import { saveDetectorState } from '../src/state/detector-state-file.js';
import { encodeRecord } from '../src/state/wal/wal-record.js';
import { WriteAheadLog } from '../src/state/wal/write-ahead-log.js';
import { alternate, MIN_ROUNDS, spreadOf, spreadRow } from './measure.js';
import { cloudTrailLines } from './normalize.bench.js';
import type { BenchRow } from './types.js';

const RECORDS = 20_000;
const PER_REQUEST = 500;
/** Requests committing at once, like a Collector exporter's sending queue consumers. */
const CONCURRENCY = 4;
const NOW = Date.UTC(2027, 0, 1);

function normalizedEvents(count: number): SecretAccessEvent[] {
  const events: SecretAccessEvent[] = [];
  const decoder = new Decoder(allFormats, { event: (e) => events.push(e), rejection: () => undefined, unrelated: () => undefined });
  const cursor = new InputCursor('otlp-http');
  for (const line of cloudTrailLines(count)) decoder.decodeText(line, cursor);
  return events;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * What the write-ahead log costs per event, next to what scoring costs: encoding a request's
 * record (JSON + CRC-32) and scoring the same events with the shipped rules, in alternating rounds
 * (bench clock); the replay at start (read + decode); the write and fdatasync of requests of 500
 * events with 4 committing at once, in wall time (waiting for the disk is the cost there). Then
 * the detector state file: its size after little and after much traffic, against the raw state.
 */
export async function runWalBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const rules = loadRules(defaultRulesDir());
  const events = normalizedEvents(RECORDS);
  const requests = chunks(events, PER_REQUEST);
  const dir = await mkdtemp(join(tmpdir(), 'sw-wal-bench-'));
  try {
    const bytes = requests.reduce((n, r) => n + encodeRecord(0, 0, r).length, 0);
    let detector = new Detector({ rules, clock: () => NOW });
    const walDir = join(dir, 'wal');
    const { wal: filled } = await WriteAheadLog.open(walDir, null, nodeFiles, () => undefined);
    for (const r of requests) await filled.append(NOW, r);
    await filled.close();
    const m = await alternate([
      {
        run: () => {
          for (const r of requests) encodeRecord(0, NOW, r);
        },
        items: events.length,
      },
      {
        prepare: () => (detector = new Detector({ rules, clock: () => NOW })),
        run: () => {
          for (const e of events) detector.process(e);
        },
        items: events.length,
      },
      {
        run: async () => (await WriteAheadLog.open(walDir, null, nodeFiles, () => undefined)).wal.close(),
        items: events.length,
      },
    ]);
    rows.push(spreadRow('wal.encode', m.cost(0, 1e6), 'us/event', `a record of ${PER_REQUEST} normalized CloudTrail reads: JSON + CRC-32; ${(bytes / events.length).toFixed(0)} bytes/event on disk`));
    rows.push(spreadRow('wal.score_same_events', m.cost(1, 1e6), 'us/event', 'Detector.process, shipped rules: what the log adds to'));
    rows.push(spreadRow('wal.encode_over_score', m.ratio(1, 0), 'x', 'encode cost / score cost, within each round'));
    rows.push(spreadRow('wal.replay_read_decode', m.rate(2), 'events/s', 'at start, streamed through a 4 MiB buffer, before scoring'));

    // Write + fdatasync, wall time: the disk's wait is the cost. Fresh log each round.
    const rates: number[] = [];
    const syncsPerRequest: number[] = [];
    for (let round = -1; round < MIN_ROUNDS; round++) {
      const roundDir = join(dir, `append-${round + 1}`);
      const { wal } = await WriteAheadLog.open(roundDir, null, nodeFiles, () => undefined);
      let next = 0;
      const start = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < requests.length) await wal.append(NOW, requests[next++] as SecretAccessEvent[]);
        }),
      );
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      await wal.close();
      if (round >= 0) {
        rates.push(events.length / seconds);
        syncsPerRequest.push(wal.stats.syncs / requests.length);
      }
    }
    rows.push(spreadRow('wal.append_fdatasync', spreadOf(rates), 'events/s', `wall time; ${PER_REQUEST} events a request, ${CONCURRENCY} at once; ${spreadOf(syncsPerRequest).median.toFixed(2)} fdatasync a request`));

    const quiet = new Detector({ rules, clock: () => NOW });
    for (const e of events.slice(0, 21)) quiet.process(e);
    const raw = quiet.snapshot().rules.reduce((n, r) => n + r.engine.length, 0);
    rows.push({ name: 'state_file.raw_engine_state', value: raw / 2 ** 20, unit: 'MiB', note: 'fixed by configuration: the size of every state file before compression' });
    const { bytes: quietBytes } = await saveDetectorState(dir, quiet.snapshot(), NOW);
    rows.push({ name: 'state_file.after_21_events', value: quietBytes / 2 ** 10, unit: 'KiB', note: 'engine state raw-DEFLATE level 1' });
    const busy = new Detector({ rules, clock: () => NOW });
    for (const e of events) busy.process(e);
    const start = process.hrtime.bigint();
    const { bytes: busyBytes } = await saveDetectorState(dir, busy.snapshot(), NOW);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    rows.push({ name: `state_file.after_${events.length}_events`, value: busyBytes / 2 ** 10, unit: 'KiB', note: `saved in ${ms.toFixed(0)} ms wall (snapshot, compress, write, fdatasync, rename)` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
