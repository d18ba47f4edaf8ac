import { z } from 'zod';
import { parseDuration } from './duration.js';
import { RULE_FIELDS } from './field-path.js';

/**
 * The rule file format (`detectors/rules/<id>.yaml`), validated strictly: unknown keys are
 * errors, every duration has a unit, every field is a schema field. See README "Rules".
 */

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration with a unit, such as 500ms, 30s, 10m, 2h or 30d',
});

const field = z.enum(RULE_FIELDS);
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

/** A field condition: a value, a list (any of), or an operator object. */
const fieldCondition = z.union([
  scalar,
  z.array(scalar).min(1),
  z
    .strictObject({
      any_of: z.array(scalar).min(1).optional(),
      not: z.union([scalar, z.array(scalar).min(1)]).optional(),
      regex: z.string().optional(),
      starts_with: z.string().optional(),
      exists: z.boolean().optional(),
      ignore_case: z.boolean().optional(),
    })
    .refine((o) => Object.keys(o).some((k) => k !== 'ignore_case'), { message: 'needs at least one operator' }),
]);

/** All listed fields must hold (AND); an empty match takes every event. */
export const matchSchema = z.partialRecord(field, fieldCondition);

const sketchSchema = z.strictObject({
  width: z.number().int().min(16).max(1 << 24).optional(),
  depth: z.number().int().min(1).max(16).optional(),
  sub_windows: z.number().int().min(1).max(1024).optional(),
  capacity: z.number().int().min(1).optional(),
  false_positive_rate: z.number().gt(0).lt(1).optional(),
  /** Groups with exact state at most (threshold candidates, sequence groups with failures). */
  candidates: z.number().int().min(1).max(10_000_000).optional(),
  /** Entries of the threshold engine's recent-event log (a power of two). */
  recent_events: z.number().int().min(2).max(1 << 26).optional(),
  seed: z.number().int().optional(),
});

const thresholdEngine = z.strictObject({
  type: z.literal('threshold'),
  group_by: z.array(field).min(1),
  window: duration,
  /** Fires when the count in the window goes above this (so `above: 50` fires on the 51st). */
  count_above: z.number().int().min(0).optional(),
  /** Fires when the number of distinct values of `field` in the window goes above `above`. */
  distinct: z.strictObject({ field, above: z.number().int().min(0) }).optional(),
  sketch: sketchSchema.optional(),
});

const newTermsEngine = z.strictObject({
  type: z.literal('new_terms'),
  /** The combination of fields whose first occurrence is reported. */
  fields: z.array(field).min(1),
  history: duration,
  sketch: sketchSchema.optional(),
});

const sequenceEngine = z.strictObject({
  type: z.literal('sequence'),
  group_by: z.array(field).min(1),
  /** Events that count as the preceding failures (the rule's `match` selects the final event). */
  preceded_by: z.strictObject({ match: matchSchema, at_least: z.number().int().min(1) }),
  within: duration,
  sketch: sketchSchema.optional(),
});

const multiProviderEngine = z.strictObject({
  type: z.literal('multi_provider'),
  group_by: z.array(field).min(1),
  /** Fires when events of at least this many providers share a group within the window. */
  at_least: z.number().int().min(2),
  within: duration,
  sketch: sketchSchema.optional(),
});

const timeOfDayEngine = z.strictObject({
  type: z.literal('time_of_day'),
  /** Working hours in UTC, as [start, end) hours; events outside them on any day, or on the listed days, fire. */
  working_hours_utc: z.tuple([z.number().int().min(0).max(23), z.number().int().min(1).max(24)]),
  /** Days (0 = Sunday) that are outside working hours all day. */
  days_off: z.array(z.number().int().min(0).max(6)).default([0, 6]),
});

const matchEngine = z.strictObject({ type: z.literal('match') });

export const engineSchema = z.discriminatedUnion('type', [
  thresholdEngine,
  newTermsEngine,
  sequenceEngine,
  multiProviderEngine,
  timeOfDayEngine,
  matchEngine,
]);

const testEvent = z
  .looseObject({
    /** Emit this event N times (default 1). `{i}` in any string is replaced by the copy's number. */
    repeat: z.number().int().min(1).max(100_000).optional(),
    /** Time between copies (default 1s). */
    every: duration.optional(),
    /** Time of the first copy: ISO 8601, or an offset from the test's start (`+10m`). */
    at: z.string().optional(),
  });

const testExpectation = z.strictObject({
  /** The 0-based index of the generated event the alert must fire on. */
  at_event: z.number().int().min(0).optional(),
  /** Attribute values the alert must carry. */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const ruleTestSchema = z.strictObject({
  name: z.string().min(1),
  /** Start time for relative `at` offsets (default 2026-01-05T12:00:00Z, a Monday). */
  start: z.string().optional(),
  /**
   * Run with the rule's learning period in force (default false: tests start with it already
   * over, so that a first-seen rule can fire on the test's first event).
   */
  learning: z.boolean().optional(),
  events: z.array(testEvent).min(1),
  /** The alerts the rule must produce, in order; an empty list means it must stay silent. */
  expect: z.array(testExpectation),
});

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case'),
  uuid: z.uuid(),
  title: z.string().min(1),
  description: z.string().min(1),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  risk_score: z.number().int().min(0).max(100),
  version: z.number().int().min(1),
  enabled: z.boolean().default(true),
  category: z.string().min(1),
  mitre: z.strictObject({
    tactic: z.strictObject({ id: z.string().regex(/^TA\d{4}$/), name: z.string() }),
    technique: z.strictObject({ id: z.string().regex(/^T\d{4}(\.\d{3})?$/), name: z.string() }),
  }),
  references: z.array(z.url()).min(1),
  false_positives: z.array(z.string()).min(1),
  triage: z.string().min(1),
  match: matchSchema,
  engine: engineSchema,
  /** At most one alert per value of these fields per duration. */
  throttle: z.strictObject({ group_by: z.array(field).min(1), duration }).optional(),
  /** Silence after the rule's state is created (first-seen rules learn what is normal first). */
  learning_period: duration.optional(),
  exceptions: z
    .strictObject({
      principals: z.array(z.string()).default([]),
      principal_patterns: z.array(z.string()).default([]),
      user_agent_patterns: z.array(z.string()).default([]),
      source_cidrs: z.array(z.string()).default([]),
      aws_service_callers: z.boolean().default(false),
    })
    .optional(),
  tests: z.array(ruleTestSchema).min(1),
});

export type RuleSpec = z.infer<typeof ruleSchema>;
export type MatchSpec = z.infer<typeof matchSchema>;
export type EngineSpec = z.infer<typeof engineSchema>;
export type RuleTestSpec = z.infer<typeof ruleTestSchema>;
export type SketchSpec = z.infer<typeof sketchSchema>;
