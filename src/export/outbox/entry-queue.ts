/**
 * The outbox's in-memory index: where each unacknowledged line is on disk, not the alert itself, so
 * memory stays small (about 100 bytes an alert) however large the alerts are; `peek` reads them back.
 */

export interface Segment {
  name: string;
  path: string;
  /** Size of the file (whole lines only). */
  bytes: number;
  /** Unacknowledged entries in this file; 0 means the file can go (unless it is being written). */
  live: number;
}

export interface IndexEntry {
  seq: number;
  segment: Segment;
  /** Byte offset and length of the line (including its newline) in the segment file. */
  offset: number;
  length: number;
  at: number;
  acked: boolean;
}

/**
 * Entries in sequence order. Acknowledged entries leave from the front; one acknowledged out of
 * order stays, flagged, until everything before it is acknowledged too.
 */
export class EntryQueue {
  private items: IndexEntry[] = [];
  private head = 0;

  push(entry: IndexEntry): void {
    this.items.push(entry);
  }

  /** The oldest entry still held (never an acknowledged one: those are shifted off in `dropAckedHead`). */
  first(): IndexEntry | undefined {
    return this.items[this.head];
  }

  last(): IndexEntry | undefined {
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  /** Removes acknowledged entries from the front; returns the last removed sequence number, if any. */
  dropAckedHead(): number | undefined {
    let through: number | undefined;
    for (let e = this.items[this.head]; e !== undefined && e.acked; e = this.items[this.head]) {
      through = e.seq;
      this.head++;
    }
    // Compact now and then so the array does not keep every entry ever appended.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return through;
  }

  /** Binary search: sequence numbers increase along the queue. */
  find(seq: number): IndexEntry | undefined {
    let lo = this.head;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.items[mid] as IndexEntry;
      if (e.seq === seq) return e;
      if (e.seq < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Unacknowledged entries, oldest first. */
  *unacked(): Generator<IndexEntry> {
    for (let i = this.head; i < this.items.length; i++) {
      const e = this.items[i] as IndexEntry;
      if (!e.acked) yield e;
    }
  }
}
