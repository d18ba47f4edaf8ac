import type { Alert } from '../../detectors/alerts/alert.js';
import type { Detector } from '../../detectors/detector.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { DecodeStats } from '../decode/stats.js';
import type { InputRef } from '../input/walk.js';
import { EventSource } from './event-source.js';
import { mergeByTime } from './merge.js';
import { ReorderBuffer } from './reorder-buffer.js';

export interface ReplayOptions {
  /** Events within this much event time of each other are put back in order before scoring. */
  reorderHorizonMs: number;
  /** Most events held for reordering. */
  reorderCapacity: number;
  /** Most decoded events kept in memory between the time-ordering prescan and the merge. */
  prescanCacheEvents: number;
  onAlerts: (alerts: Alert[]) => Promise<void> | void;
  onProgress?: (events: number) => void;
}

export interface ReplaySummary {
  inputs: number;
  records: number;
  events: number;
  firstEventMs: number | undefined;
  lastEventMs: number | undefined;
  alerts: number;
  reorderForced: number;
  stats: DecodeStats;
}

/**
 * Replays inputs through a detector in event-time order: inputs are merged by time, residual
 * disorder within the horizon is sorted out by a bounded reorder buffer, and each event is scored.
 */
export async function replay(refs: readonly InputRef[], detector: Detector, options: ReplayOptions): Promise<ReplaySummary> {
  const stats = new DecodeStats();
  let records = 0;
  const sources = refs.map((ref) => new EventSource(ref, stats, (n) => (records += n)));
  if (sources.length > 1) {
    let cached = 0;
    for (const source of sources) {
      await source.prescan((n) => {
        if (cached + n > options.prescanCacheEvents) return false;
        cached += n;
        return true;
      });
    }
  }
  const buffer = new ReorderBuffer<SecretAccessEvent>(options.reorderHorizonMs, options.reorderCapacity);
  const ready: SecretAccessEvent[] = [];
  const summary: ReplaySummary = {
    inputs: sources.length,
    records: 0,
    events: 0,
    firstEventMs: undefined,
    lastEventMs: undefined,
    alerts: 0,
    reorderForced: 0,
    stats,
  };
  const score = async (): Promise<void> => {
    let batch: Alert[] | undefined;
    for (const event of ready) {
      summary.events++;
      if (summary.firstEventMs === undefined || event.time_ms < summary.firstEventMs) summary.firstEventMs = event.time_ms;
      if (summary.lastEventMs === undefined || event.time_ms > summary.lastEventMs) summary.lastEventMs = event.time_ms;
      const alerts = detector.process(event);
      if (alerts.length > 0) (batch ??= []).push(...alerts);
    }
    ready.length = 0;
    if (batch !== undefined) {
      summary.alerts += batch.length;
      await options.onAlerts(batch);
    }
    options.onProgress?.(summary.events);
  };
  // One await per merged batch; scoring (and the alert sink's await) once 1024 events are ready.
  for await (const batch of mergeByTime(sources)) {
    for (const event of batch) buffer.push(event.time_ms, event, ready);
    if (ready.length >= 1024) await score();
  }
  buffer.drain(ready);
  await score();
  const tail = detector.flush();
  if (tail.length > 0) {
    summary.alerts += tail.length;
    await options.onAlerts(tail);
  }
  summary.records = records;
  summary.reorderForced = buffer.forcedReleases;
  return summary;
}
