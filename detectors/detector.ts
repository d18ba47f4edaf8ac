import type { SecretAccessEvent } from '../normalizers/schema.js';
import type { Alert } from './alerts/alert.js';
import { buildAlert } from './alerts/build-alert.js';
import { createEngine } from './engines/create-engine.js';
import type { Engine, EngineStats } from './engines/engine.js';
import { parseDuration } from './ruleset/duration.js';
import { fieldValue } from './ruleset/field-path.js';
import type { LoadedRule } from './ruleset/load-rules.js';
import { Throttle } from './throttle.js';
import { isSecretwatchError, SecretwatchError } from '../src/errors/codes.js';

/** What `process` returns for the many events that raise nothing: one shared, frozen, empty list. */
const NO_ALERTS: readonly Alert[] = Object.freeze([]);

/** CloudTrail delivers up to ~15 minutes late; events later than this are counted, not scored. */
export const DEFAULT_ALLOWED_LATENESS_MS = 15 * 60_000;
/**
 * Events stamped further than this past the injected clock are not scored: one record with a
 * far-future time would otherwise advance every window and wipe the state of every rule.
 */
export const DEFAULT_MAX_FUTURE_MS = 60 * 60_000;
/** First-seen rules learn for this long (event time) after their state is created, unless a rule says otherwise. */
export const DEFAULT_LEARNING_PERIOD_MS = 24 * 3_600_000;

export interface DetectorOptions {
  rules: readonly LoadedRule[];
  /** Wall-clock source for `observed_time` only; detection itself runs on event time. */
  clock: () => number;
  allowedLatenessMs?: number;
  /**
   * Event time before which rules with a learning period stay silent. Default: per rule, the time of
   * the first event its state saw plus its learning period. `-Infinity` skips learning (rule tests,
   * or state filled by a baseline run).
   */
  learningCompleteAt?: number;
  /** Most throttle keys kept per rule. */
  throttleCapacity?: number;
  /** Events more than this ahead of `clock()` are counted in `future_events` and not scored. */
  maxFutureMs?: number;
}

export interface RuleStats {
  /** Events the rule's match (or its preceding-event match) accepted. */
  matched: number;
  /** Events dropped by the rule's exceptions. */
  excepted: number;
  findings: number;
  suppressed_learning: number;
  throttled: number;
  alerts: number;
  throttle_keys: number;
  throttle_evictions: number;
  engine: EngineStats;
}

interface RuleRuntime {
  rule: LoadedRule;
  engine: Engine;
  throttle?: Throttle;
  learningMs: number;
  /** Event time the rule's state was created (first event scored); NaN until then. */
  createdAtMs: number;
  /**
   * Newest event time the rule scored; -Infinity before the first. Mirrors the engines' lateness
   * gate (same allowed lateness) so that an event the engine refuses as late does not move
   * `createdAtMs`: learning is measured over events actually scored.
   */
  latestMs: number;
  counts: { matched: number; excepted: number; findings: number; suppressed_learning: number; alerts: number };
}

/** What `restore` did: rules restored, and rules starting fresh with why. */
export interface RestoreResult {
  restored: string[];
  fresh: { id: string; reason: string }[];
}

/** The serializable state of a detector, for restarts and baseline runs. */
export interface DetectorSnapshot {
  version: 1;
  rules: {
    id: string;
    version: number;
    created_at_ms: number | null;
    /** Newest event time scored (absent in state written before it was kept). */
    latest_ms?: number | null;
    engine: Uint8Array;
    throttle: [string, number][];
  }[];
}

/**
 * Runs every rule over a stream of normalized events in event time and returns the alerts each
 * event triggers. Order of work per rule: exceptions, match, engine, learning period, throttle.
 */
export class Detector {
  private readonly runtimes: RuleRuntime[];

  private readonly clock: () => number;
  private readonly learningCompleteAt: number | undefined;
  private readonly maxFutureMs: number;
  private readonly allowedLatenessMs: number;
  /** Events dropped because their time was too far ahead of the clock. */
  futureEvents = 0;

  constructor(options: DetectorOptions) {
    this.clock = options.clock;
    this.learningCompleteAt = options.learningCompleteAt;
    this.maxFutureMs = options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    const allowedLatenessMs = options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS;
    this.allowedLatenessMs = allowedLatenessMs;
    this.runtimes = options.rules
      .filter((rule) => rule.spec.enabled)
      .map((rule) => {
        const spec = rule.spec;
        const throttleMs = spec.throttle !== undefined ? parseDuration(spec.throttle.duration) : undefined;
        const learning =
          spec.learning_period !== undefined
            ? (parseDuration(spec.learning_period) ?? 0)
            : spec.engine.type === 'new_terms'
              ? DEFAULT_LEARNING_PERIOD_MS
              : 0;
        const runtime: RuleRuntime = {
          rule,
          engine: createEngine(spec.engine, {
            allowedLatenessMs,
            isFinal: rule.match,
            ...(rule.precedingMatch !== undefined ? { isPreceding: rule.precedingMatch } : {}),
          }),
          learningMs: learning,
          createdAtMs: Number.NaN,
          latestMs: Number.NEGATIVE_INFINITY,
          counts: { matched: 0, excepted: 0, findings: 0, suppressed_learning: 0, alerts: 0 },
        };
        if (throttleMs !== undefined) runtime.throttle = new Throttle(throttleMs, options.throttleCapacity);
        return runtime;
      });
  }

  /** Scores one event; returns the alerts it triggered (usually none). */
  process(event: SecretAccessEvent): readonly Alert[] {
    if (event.time_ms > this.clock() + this.maxFutureMs) {
      this.futureEvents++;
      return NO_ALERTS;
    }
    let alerts: Alert[] | undefined;
    for (const rt of this.runtimes) {
      const rule = rt.rule;
      const final = rule.match(event);
      const preceding = rule.precedingMatch?.(event) === true;
      if (!final && !preceding) continue;
      if (rule.excepted(event)) {
        rt.counts.excepted++;
        continue;
      }
      rt.counts.matched++;
      this.noteScored(rt, event.time_ms);
      const learning = this.inLearningPeriod(rt, event.time_ms);
      const finding = rt.engine.observe(event, learning);
      if (finding === undefined) continue;
      rt.counts.findings++;
      if (learning) {
        rt.counts.suppressed_learning++;
        continue;
      }
      const spec = rule.spec;
      if (rt.throttle !== undefined && spec.throttle !== undefined) {
        const key = spec.throttle.group_by.map((f) => fieldValue(event, f) ?? '').join('\u0001');
        if (!rt.throttle.admit(key, event.time_ms)) continue;
      }
      rt.counts.alerts++;
      (alerts ??= []).push(buildAlert(spec, finding, this.clock()));
    }
    return alerts ?? NO_ALERTS;
  }

  /** Alerts still pending at the end of a stream. Engines fire on the crossing event, so none today. */
  flush(): Alert[] {
    return [];
  }

  /** Moves the rule's start and newest time for an event its engine admits (not late), as the engine's gate decides. */
  private noteScored(rt: RuleRuntime, timeMs: number): void {
    if (!Number.isFinite(timeMs) || timeMs < rt.latestMs - this.allowedLatenessMs) return;
    if (timeMs > rt.latestMs) rt.latestMs = timeMs;
    if (Number.isNaN(rt.createdAtMs) || timeMs < rt.createdAtMs) rt.createdAtMs = timeMs;
  }

  private inLearningPeriod(rt: RuleRuntime, timeMs: number): boolean {
    if (rt.learningMs === 0) return false;
    const completeAt = this.learningCompleteAt ?? rt.createdAtMs + rt.learningMs;
    return timeMs < completeAt;
  }

  stats(): Record<string, RuleStats> {
    const out: Record<string, RuleStats> = {};
    for (const rt of this.runtimes) {
      out[rt.rule.spec.id] = {
        ...rt.counts,
        throttled: rt.throttle?.suppressed ?? 0,
        throttle_keys: rt.throttle?.size ?? 0,
        throttle_evictions: rt.throttle?.evictions ?? 0,
        engine: rt.engine.stats(),
      };
    }
    return out;
  }

  /** Bytes of detection state held by all rules: fixed by configuration. */
  memoryBytes(): number {
    return this.runtimes.reduce((n, rt) => n + rt.engine.stats().memory_bytes, 0);
  }

  ruleIds(): string[] {
    return this.runtimes.map((rt) => rt.rule.spec.id);
  }

  snapshot(): DetectorSnapshot {
    return {
      version: 1,
      rules: this.runtimes.map((rt) => ({
        id: rt.rule.spec.id,
        version: rt.rule.spec.version,
        created_at_ms: Number.isNaN(rt.createdAtMs) ? null : rt.createdAtMs,
        latest_ms: Number.isFinite(rt.latestMs) ? rt.latestMs : null,
        engine: rt.engine.snapshot(),
        throttle: rt.throttle?.entries() ?? [],
      })),
    };
  }

  /**
   * Restores what a snapshot holds for rules that still exist with the same version; a rule that
   * changed starts fresh (its state would not mean the same thing), and so does a rule whose
   * engine state this build cannot read (SW_STATE_INCOMPATIBLE: another engine configuration, or
   * sketches written by an older build): an upgrade must not stop the sidecar from starting.
   * Returns the ids restored and the rules that start fresh with the reason; a damaged snapshot
   * (SW_STATE_CORRUPT) still throws, its message naming the rule.
   */
  restore(snapshot: DetectorSnapshot): RestoreResult {
    const restored: string[] = [];
    const fresh: RestoreResult['fresh'] = [];
    for (const saved of snapshot.rules) {
      const rt = this.runtimes.find((r) => r.rule.spec.id === saved.id);
      if (rt === undefined) continue;
      if (rt.rule.spec.version !== saved.version) {
        fresh.push({ id: saved.id, reason: `rule version ${rt.rule.spec.version}, state of version ${saved.version}` });
        continue;
      }
      try {
        rt.engine.restore(saved.engine);
      } catch (err) {
        if (isSecretwatchError(err) && err.code === 'SW_STATE_CORRUPT') {
          throw new SecretwatchError('SW_STATE_CORRUPT', `rule ${saved.id}: ${err.message}`, { cause: err });
        }
        if (!isSecretwatchError(err) || err.code !== 'SW_STATE_INCOMPATIBLE') throw err;
        fresh.push({ id: saved.id, reason: err.message });
        continue;
      }
      rt.createdAtMs = saved.created_at_ms ?? Number.NaN;
      rt.latestMs = saved.latest_ms ?? saved.created_at_ms ?? Number.NEGATIVE_INFINITY;
      rt.throttle?.load(saved.throttle);
      restored.push(saved.id);
    }
    return { restored, fresh };
  }
}
