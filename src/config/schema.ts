import { z } from 'zod';
import { parseDuration } from '../../detectors/ruleset/duration.js';

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration with a unit, such as 500ms, 30s, 10m, 2h or 30d',
});

/**
 * The configuration file (YAML). Every section is optional; every key has a named default here.
 * Unknown keys are errors. Documented key by key in README "Configuration".
 */
export const configSchema = z.strictObject({
  detection: z
    .strictObject({
      /** Events later than this behind the newest event time are counted (`late_events`), not scored. */
      allowed_lateness: duration.default('15m'),
      /** Disorder within this much event time is sorted out before scoring (replay). */
      reorder_horizon: duration.default('15m'),
      /** Most events held for reordering; past it the oldest goes out early (counted). */
      reorder_capacity: z.number().int().min(1).max(10_000_000).default(200_000),
      /** `auto`: first-seen rules stay silent for their learning period; `skip`: they alert at once. */
      learning: z.enum(['auto', 'skip']).default('auto'),
    })
    .prefault({}),
  rules: z
    .strictObject({
      /** Folder of rule files; the built-in rules when absent. */
      dir: z.string().min(1).optional(),
      /** Rule ids to turn off without editing their files. */
      disabled: z.array(z.string()).default([]),
    })
    .prefault({}),
  state: z
    .strictObject({
      /** Folder for detector state (kept across runs, filled by `baseline`). */
      dir: z.string().min(1).optional(),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
