/**
 * The allowed-lateness rule of the windowed engines, applied exactly: an event older than the
 * newest event time seen minus the allowed lateness is late, counted and not scored. The sketches
 * would still accept some of those (they drop by whole sub-windows); deciding here makes the rule
 * the same for every engine and every sub-window size. Times that are not finite numbers (which
 * normalizers never produce) are counted as late too: they cannot be placed in any window.
 */
export class LatenessGate {
  /** Newest event time admitted; -Infinity before the first. */
  latestMs = -Infinity;
  /** Events refused. */
  late = 0;

  constructor(readonly allowedLatenessMs: number) {}

  admit(timeMs: number): boolean {
    if (!Number.isFinite(timeMs) || timeMs < this.latestMs - this.allowedLatenessMs) {
      this.late++;
      return false;
    }
    if (timeMs > this.latestMs) this.latestMs = timeMs;
    return true;
  }
}
