import type { SecretAccessEvent } from '../../normalizers/schema.js';

/** A normalized AWS secret read (alice, one address, one secret) at `timeMs`, for detector and state tests. */
export function secretRead(i: number, timeMs: number, overrides: Partial<SecretAccessEvent> = {}): SecretAccessEvent {
  return {
    time: new Date(timeMs).toISOString(),
    time_ms: timeMs,
    provider: 'aws',
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    action: 'read',
    outcome: 'success',
    principal: { id: 'arn:aws:iam::111111111111:user/alice', type: 'user', class: 'standard' },
    source: { ip: '198.51.100.10' },
    cloud: { account: '111111111111', region: 'us-east-1' },
    secrets: ['arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db'],
    event_id: `e${i}`,
    raw: { source: 'test', index: i, format: 'test' },
    ...overrides,
  };
}
