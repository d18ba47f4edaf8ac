/**
 * Durations in rule and config files: an integer with a unit (`500ms`, `30s`, `10m`, `2h`, `30d`).
 * Units are required so that a file never leaves its reader guessing.
 */
const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (m === null) return undefined;
  const value = Number(m[1]);
  const unit = m[2] as keyof typeof UNIT_MS;
  return value * UNIT_MS[unit];
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
