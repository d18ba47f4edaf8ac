import type { Provider, SecretAccessEvent } from '../../../normalizers/schema.js';

/** 2026-01-05T12:00:00Z, a Monday, on a whole hour (so on every sub-window boundary used here). */
export const T0 = Date.UTC(2026, 0, 5, 12);
export const SEC = 1_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export interface EventShape {
  at: number;
  principal?: string;
  ip?: string | null;
  provider?: Provider;
  outcome?: 'success' | 'failure';
  secrets?: string[];
  operation?: string;
}

let index = 0;

/** A normalized secret read with the fields the engines look at; the rest is fixed. */
export function event(shape: EventShape): SecretAccessEvent {
  const provider = shape.provider ?? 'aws';
  return {
    time: new Date(shape.at).toISOString(),
    time_ms: shape.at,
    provider,
    service: provider === 'aws' ? 'secretsmanager' : provider === 'gcp' ? 'secretmanager' : 'keyvault',
    operation: shape.operation ?? 'GetSecretValue',
    action: 'read',
    outcome: shape.outcome ?? 'success',
    ...(shape.outcome === 'failure' ? { error_code: 'AccessDenied' } : {}),
    principal: { id: shape.principal ?? 'arn:aws:iam::123456789012:user/alice', type: 'user', class: 'standard' },
    source: shape.ip === null ? {} : { ip: shape.ip ?? '198.51.100.7' },
    cloud: { account: '123456789012', region: 'us-east-1' },
    secrets: shape.secrets ?? ['prod/db'],
    raw: { source: 'test', index: index++, format: 'test' },
  };
}

/** Indexes of the events for which `observe` returned a finding. */
export function firingIndexes(observe: (e: SecretAccessEvent) => unknown, events: readonly SecretAccessEvent[]): number[] {
  const out: number[] = [];
  events.forEach((e, i) => {
    if (observe(e) !== undefined) out.push(i);
  });
  return out;
}
