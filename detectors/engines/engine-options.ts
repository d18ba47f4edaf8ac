import type { SecretAccessEvent } from '../../normalizers/schema.js';

/**
 * What the detector gives `createEngine` besides the rule's `engine` section.
 */
export interface EngineOptions {
  /**
   * How far behind the newest event time (of this engine) an event may arrive and still be
   * scored, ms. Windowed engines drop older events and count them in `late_events`; the
   * stateless engines (`match`, `time_of_day`) hold no window and score every event.
   */
  allowedLatenessMs: number;
  /**
   * The rule's compiled `match`: selects the final event of a `sequence` (e.g. a successful
   * read). The detector calls `observe` for events that pass `isFinal` OR `isPreceding`, so a
   * sequence engine re-checks both to tell them apart. Unused by the other engines. When a
   * sequence engine gets no `isFinal`, every event that is not preceding is final.
   */
  isFinal?: (event: SecretAccessEvent) => boolean;
  /** The compiled `preceded_by.match` of a `sequence` rule (required for `sequence`). */
  isPreceding?: (event: SecretAccessEvent) => boolean;
}
