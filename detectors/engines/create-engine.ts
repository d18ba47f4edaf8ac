import { SecretwatchError } from '../../src/errors/codes.js';
import type { EngineSpec } from '../ruleset/rule-schema.js';
import { SketchError } from '../sketch/errors.js';
import type { Engine } from './engine.js';
import type { EngineOptions } from './engine-options.js';
import { MatchEngine } from './match.js';
import { MultiProviderEngine } from './multi-provider.js';
import { NewTermsEngine } from './new-terms.js';
import { SequenceEngine } from './sequence.js';
import { ThresholdEngine } from './threshold.js';
import { TimeOfDayEngine } from './time-of-day.js';

export type { EngineOptions } from './engine-options.js';

/**
 * Builds the engine a rule's `engine` section names. Fails fast, at rule load, with
 * SW_RULE_INVALID and a message naming the key (a threshold without `count_above` or
 * `distinct`, sketch sizes the sketches refuse, a `sub_windows` that does not divide the window).
 */
export function createEngine(spec: EngineSpec, options: EngineOptions): Engine {
  if (!Number.isInteger(options.allowedLatenessMs) || options.allowedLatenessMs < 0) {
    throw new SecretwatchError('SW_CONFIG_INVALID', `allowed lateness must be a whole number of ms >= 0 (got ${options.allowedLatenessMs})`);
  }
  try {
    switch (spec.type) {
      case 'threshold':
        if (spec.count_above === undefined && spec.distinct === undefined) {
          throw new SecretwatchError('SW_RULE_INVALID', 'engine: a threshold needs count_above, distinct, or both');
        }
        return new ThresholdEngine(spec, options);
      case 'new_terms':
        return new NewTermsEngine(spec, options);
      case 'sequence':
        return new SequenceEngine(spec, options);
      case 'multi_provider':
        return new MultiProviderEngine(spec, options);
      case 'time_of_day':
        return new TimeOfDayEngine(spec);
      case 'match':
        return new MatchEngine();
    }
  } catch (err) {
    if (err instanceof SketchError) {
      // The sketches name their own options (width, expectedItemsPerSubWindow...): say where they come from.
      throw new SecretwatchError('SW_RULE_INVALID', `engine.sketch (${spec.type}): ${err.message}`, { cause: err });
    }
    throw err;
  }
}
