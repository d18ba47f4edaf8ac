import { allFormats } from '../../normalizers/index.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { InputCursor } from '../decode/cursor.js';
import { Decoder } from '../decode/decoder.js';
import type { DecodeStats } from '../decode/stats.js';
import { readUnits, WHOLE_FILE_MAX_BYTES } from '../input/read-units.js';
import { inputName, type InputRef } from '../input/walk.js';

/** Counts decoded from one input, applied to the run's totals once the input is consumed. */
interface Tally {
  rejections: { reason: Parameters<DecodeStats['rejection']>[0] }[];
  unrelated: [string, string][];
  records: number;
}

/**
 * One input as a stream of normalized events for the replay merge.
 *
 * Inputs small enough to be read whole are decoded at once and sorted by event time; larger ones
 * (and stdin) stream in file order and rely on the reorder buffer and allowed lateness.
 */
export class EventSource {
  /** Earliest event time, known after `prescan()` (streamed inputs: of their first events only). */
  firstTimeMs = Number.NEGATIVE_INFINITY;
  private cached: SecretAccessEvent[] | undefined;
  private cachedTally: Tally | undefined;

  constructor(
    readonly ref: InputRef,
    private readonly stats: DecodeStats,
    private readonly onRecords: (n: number) => void,
  ) {}

  get name(): string {
    return inputName(this.ref);
  }

  get streamed(): boolean {
    return this.ref.kind === 'stdin' || this.ref.size > WHOLE_FILE_MAX_BYTES;
  }

  /**
   * Finds the input's first event time so inputs can be opened in time order. Whole inputs are
   * decoded; the events are kept for `open()` when `keep` is true (the caller bounds the total).
   */
  async prescan(keep: (events: number) => boolean, prescanLines = 10_000): Promise<void> {
    if (this.ref.kind === 'stdin') return;
    const events: SecretAccessEvent[] = [];
    const tally: Tally = { rejections: [], unrelated: [], records: 0 };
    const decoder = new Decoder(allFormats, {
      event: (e) => events.push(e),
      rejection: (r) => tally.rejections.push({ reason: r }),
      unrelated: (f, reason) => tally.unrelated.push([f, reason]),
    });
    const cursor = new InputCursor(this.name);
    let lines = 0;
    read: for await (const unit of readUnits(this.ref)) {
      if (unit.kind === 'bytes') {
        decoder.decodeBytes(unit.bytes, cursor);
        continue;
      }
      for (const line of unit.lines) {
        decoder.decodeText(line, cursor);
        if (++lines >= prescanLines) break read;
      }
    }
    tally.records = cursor.nextIndex;
    let min = Number.POSITIVE_INFINITY;
    for (const e of events) if (e.time_ms < min) min = e.time_ms;
    this.firstTimeMs = events.length > 0 ? min : Number.POSITIVE_INFINITY;
    if (!this.streamed && keep(events.length)) {
      this.cached = events;
      this.cachedTally = tally;
    }
  }

  /**
   * The input's events in batches: whole inputs sorted by event time (in slices), streamed ones in
   * input order, one batch per read chunk. Batches, not single events, so the merge and the
   * replay loop pay one asynchronous hop per batch; each batch is a fresh array the caller may keep.
   */
  async *open(): AsyncGenerator<SecretAccessEvent[]> {
    if (this.cached !== undefined && this.cachedTally !== undefined) {
      const events = this.cached;
      this.applyTally(events, this.cachedTally);
      this.cached = undefined;
      this.cachedTally = undefined;
      yield* slices(sortByTime(events));
      return;
    }
    let pending: SecretAccessEvent[] = [];
    const decoder = new Decoder(allFormats, {
      event: (e) => {
        pending.push(e);
        this.stats.event(e);
      },
      rejection: (r) => this.stats.rejection(r),
      unrelated: (f, reason) => this.stats.unrelated(f, reason),
    });
    const cursor = new InputCursor(this.name);
    try {
      for await (const unit of readUnits(this.ref)) {
        if (unit.kind === 'bytes') decoder.decodeBytes(unit.bytes, cursor);
        else for (const line of unit.lines) decoder.decodeText(line, cursor);
        if (this.streamed && pending.length > 0) {
          const batch = pending;
          pending = [];
          yield batch;
        }
      }
      if (!this.streamed) yield* slices(sortByTime(pending));
    } finally {
      this.onRecords(cursor.nextIndex);
    }
  }

  private applyTally(events: readonly SecretAccessEvent[], tally: Tally): void {
    for (const e of events) this.stats.event(e);
    for (const r of tally.rejections) this.stats.rejection(r.reason);
    for (const [f, reason] of tally.unrelated) this.stats.unrelated(f, reason);
    this.onRecords(tally.records);
  }
}

/** Events per batch when an input's events are all in memory already. */
const SLICE_EVENTS = 1024;

/** Hands out a sorted array in slices, so a large input does not make one huge downstream batch. */
function* slices(events: SecretAccessEvent[]): Generator<SecretAccessEvent[]> {
  if (events.length <= SLICE_EVENTS) {
    if (events.length > 0) yield events;
    return;
  }
  for (let i = 0; i < events.length; i += SLICE_EVENTS) yield events.slice(i, i + SLICE_EVENTS);
}

function sortByTime(events: SecretAccessEvent[]): SecretAccessEvent[] {
  // Array.prototype.sort is stable: records with equal times keep their file order.
  return events.sort((a, b) => a.time_ms - b.time_ms);
}
