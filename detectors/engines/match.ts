import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Engine, EngineStats, Finding } from './engine.js';
import { configFingerprint, decodeEngineState, encodeEngineState } from './engine-state.js';

/**
 * Every event the rule matched is a finding (single-event rules: a catch-all batch filter, a root
 * read). Stateless; the detector's throttle keeps repeats down.
 */
export class MatchEngine implements Engine {
  private readonly fingerprint = configFingerprint(['match']);

  observe(event: SecretAccessEvent): Finding {
    return { event, group: {}, summary: `called ${event.operation}`, measures: {} };
  }

  stats(): EngineStats {
    return { memory_bytes: 0, late_events: 0, saturated: 0 };
  }

  snapshot(): Uint8Array {
    return encodeEngineState('match', this.fingerprint, []);
  }

  restore(bytes: Uint8Array): void {
    decodeEngineState(bytes, 'match', this.fingerprint, 0);
  }
}
