import type { SecretAccessEvent } from '../../normalizers/schema.js';

/**
 * What an engine reports when a rule's condition holds for an event. The detector turns it into an
 * alert (throttling, exceptions and learning periods are the detector's job, not the engine's).
 */
export interface Finding {
  /** The event that crossed the line; the alert's time is its time. */
  event: SecretAccessEvent;
  /** The group the engine counted in, field by field (e.g. principal.id and source.ip). */
  group: Readonly<Record<string, string>>;
  /** Why, as a clause for the alert body ("read 51 secrets in 1h"). */
  summary: string;
  /** Numbers and samples for the alert's attributes (`count`, `distinct_secrets`, `window_seconds`...). */
  measures: Readonly<Record<string, number | string | string[] | boolean>>;
}

/** Counters an engine keeps about itself, exported as metrics. */
export interface EngineStats {
  /** Bytes of state held; fixed by configuration, never by the number of keys. */
  memory_bytes: number;
  /** Events older than the allowed lateness, not counted. */
  late_events: number;
  /** Sketches past their design capacity (their error bound no longer holds). */
  saturated: number;
  /** The exact per-group state of engines that keep one (threshold candidates, sequence failures). */
  exact?: ExactStateStats;
}

/** The exact per-group part of an engine's state: bounded in groups, with what the bound cost. */
export interface ExactStateStats {
  /** Upper bound of its memory, included in `memory_bytes`. */
  bound_bytes: number;
  /** Groups held now, and at most. */
  groups: number;
  capacity: number;
  /** Groups forgotten because the table was full (their next events start a new record). */
  evictions: number;
  /** Records started with events known only by sub-window (threshold: the recent-event log was too short). */
  approximate: number;
  /** Records that dropped an entry to their caps while it could still matter. */
  overflows: number;
}

/**
 * A streaming detection engine instance for one rule. Engines see only events the rule's match
 * and exceptions accepted, in roughly event-time order (late and out-of-order events happen and
 * must be handled within the allowed lateness). They never read the wall clock.
 */
export interface Engine {
  /**
   * Updates the engine's state with `event` and returns a finding when the rule's condition holds.
   * With `quiet` (the rule is in its learning period: the detector will drop the finding), the
   * state is updated exactly the same, but the engine may return a finding without its details
   * (a baseline run over weeks of history builds none of the finding texts it would discard).
   */
  observe(event: SecretAccessEvent, quiet?: boolean): Finding | undefined;
  stats(): EngineStats;
  /** Serialized state, to persist across restarts and share (versioned by the engine). */
  snapshot(): Uint8Array;
  /** Restores a snapshot taken by the same engine configuration; throws a typed error otherwise. */
  restore(bytes: Uint8Array): void;
}
