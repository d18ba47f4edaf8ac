import type { HrTime } from '@opentelemetry/api';

/**
 * Epoch milliseconds as an OpenTelemetry HrTime. Passed to the SDK as HrTime on purpose: a plain
 * number smaller than the process start time is taken for a `performance.now()` offset, which
 * would shift every replayed (older) alert to the wrong date.
 */
export function millisToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1_000_000)];
}

/** An ISO 8601 time as HrTime; [0, 0] (OTLP's "unknown") when it does not parse. */
export function isoToHrTime(iso: string): HrTime {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? millisToHrTime(ms) : [0, 0];
}
