import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Alert } from '../../detectors/alerts/alert.js';
import { buildAlert } from '../../detectors/alerts/build-alert.js';
import { fieldValue } from '../../detectors/ruleset/field-path.js';
import type { LoadedRule } from '../../detectors/ruleset/load-rules.js';
import type { RuleTestDetector, RuleTestDetectorOptions } from '../../detectors/ruleset/run-rule-tests.js';
import { referenceEngine, type ReferenceEngine } from './reference-engines.js';

/**
 * An exact, unbounded, slow detector: the rule semantics written as plainly as possible, with
 * arrays and maps instead of sketches (the engines are in reference-engines.ts). It is the oracle
 * for the rule files' inline tests (they must pass here whatever the production engines do) and
 * for the differential test of the whole Detector (test/detectors/differential.test.ts). Test
 * use only: its memory grows with every event it sees.
 *
 * Detector level, as detectors/detector.ts and detectors/throttle.ts do it, restated here rather
 * than imported so that a change there shows up as a difference:
 * - an event more than `maxFutureMs` after the clock is dropped before any rule sees it;
 * - per rule: match (or, for sequence, preceded_by.match), then exceptions, then the engine;
 * - learning: a rule's state is created at the earliest time of the events it accepted; its
 *   findings before that time + its learning period are dropped (`learning_period`, else 24h for
 *   new_terms rules, else none; `learningCompleteAt` replaces the per-rule end);
 * - throttle: key = the throttle.group_by values; an alert at t is suppressed when an alert of
 *   the key went out at t' with |t - t'| < duration; the key then remembers max(t', t).
 */

/** The defaults of detectors/detector.ts, written out again on purpose (see above). */
const LEARNING_PERIOD_NEW_TERMS_MS = 24 * 3_600_000;
const ALLOWED_LATENESS_MS = 15 * 60_000;
const MAX_FUTURE_MS = 60 * 60_000;

export interface ReferenceDetectorOptions extends RuleTestDetectorOptions {
  allowedLatenessMs?: number;
  maxFutureMs?: number;
}

interface Runtime {
  rule: LoadedRule;
  engine: ReferenceEngine;
  learningMs: number;
  /** Earliest time of the events the rule accepted; NaN before the first. */
  createdAt: number;
  /** Throttle key -> latest alert time. */
  throttle: Map<string, number>;
}

export class ReferenceDetector implements RuleTestDetector {
  private readonly runtimes: Runtime[];
  private readonly clock: () => number;
  private readonly learningCompleteAt: number | undefined;
  private readonly maxFutureMs: number;

  constructor(options: ReferenceDetectorOptions) {
    this.clock = options.clock;
    this.learningCompleteAt = options.learningCompleteAt;
    this.maxFutureMs = options.maxFutureMs ?? MAX_FUTURE_MS;
    const latenessMs = options.allowedLatenessMs ?? ALLOWED_LATENESS_MS;
    this.runtimes = options.rules
      .filter((r) => r.spec.enabled)
      .map((rule) => ({
        rule,
        engine: referenceEngine(rule.spec.engine, rule.windowMs ?? 0, latenessMs),
        learningMs: rule.learningPeriodMs ?? (rule.spec.engine.type === 'new_terms' ? LEARNING_PERIOD_NEW_TERMS_MS : 0),
        createdAt: Number.NaN,
        throttle: new Map(),
      }));
  }

  process(event: SecretAccessEvent): Alert[] {
    const alerts: Alert[] = [];
    if (event.time_ms > this.clock() + this.maxFutureMs) return alerts;
    for (const rt of this.runtimes) {
      const { rule } = rt;
      const isFinal = rule.match(event);
      const isPreceding = rule.precedingMatch?.(event) === true;
      if ((!isFinal && !isPreceding) || rule.excepted(event)) continue;
      if (Number.isNaN(rt.createdAt) || event.time_ms < rt.createdAt) rt.createdAt = event.time_ms;
      const found = rt.engine(event, isFinal, isPreceding);
      if (found === undefined) continue;
      const learningEnd = this.learningCompleteAt ?? rt.createdAt + rt.learningMs;
      if (rt.learningMs > 0 && event.time_ms < learningEnd) continue;
      const throttle = rule.spec.throttle;
      if (throttle !== undefined) {
        const key = JSON.stringify(throttle.group_by.map((f) => fieldValue(event, f) ?? ''));
        const last = rt.throttle.get(key);
        if (last !== undefined && Math.abs(event.time_ms - last) < rule.throttleMs!) continue;
        rt.throttle.set(key, Math.max(last ?? -Infinity, event.time_ms));
      }
      alerts.push(buildAlert(rule.spec, found, this.clock()));
    }
    return alerts;
  }

  flush(): Alert[] {
    return [];
  }
}
