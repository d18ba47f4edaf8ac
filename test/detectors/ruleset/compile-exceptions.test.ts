import { describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../../normalizers/schema.js';
import { compileExceptions } from '../../../detectors/ruleset/compile-exceptions.js';
import { ruleSchema } from '../../../detectors/ruleset/rule-schema.js';
import { isSecretwatchError } from '../../../src/errors/codes.js';

function event(overrides: Partial<SecretAccessEvent> = {}): SecretAccessEvent {
  return {
    time: '2026-01-05T12:00:00.000Z',
    time_ms: Date.UTC(2026, 0, 5, 12),
    provider: 'aws',
    service: 'ssm',
    operation: 'GetParameter',
    action: 'read',
    outcome: 'success',
    principal: { id: 'arn:aws:iam::111111111111:role/Deployer', type: 'role', class: 'standard' },
    source: { ip: '10.1.2.3', user_agent: 'aws-sdk-go/1.44' },
    cloud: { account: '111111111111' },
    secrets: [],
    decrypted: true,
    raw: { source: 'test', index: 0, format: 'test' },
    ...overrides,
  };
}

/** Exceptions as written in a rule file, with the schema's defaults applied. */
function compile(exceptions: Record<string, unknown>): (e: SecretAccessEvent) => boolean {
  const parsed = ruleSchema.shape.exceptions.parse(exceptions);
  return compileExceptions(parsed);
}

describe('compileExceptions', () => {
  it('excepts nothing without exceptions, or with empty lists', () => {
    expect(compileExceptions(undefined)(event())).toBe(false);
    expect(compile({})(event())).toBe(false);
  });

  it('principals: exact ids, ignoring case', () => {
    const p = compile({ principals: ['arn:aws:iam::111111111111:role/deployer'] });
    expect(p(event())).toBe(true);
    expect(p(event({ principal: { id: 'arn:aws:iam::111111111111:role/Deployer2', type: 'role', class: 'standard' } }))).toBe(false);
  });

  it('principal_patterns: a search on principal.id, ignoring case, never on the session name', () => {
    const p = compile({ principal_patterns: ['cloudformation'] });
    expect(p(event({ principal: { id: 'arn:aws:iam::1:role/AWSCloudFormationStackSetExecutionRole', type: 'role', class: 'standard' } }))).toBe(true);
    expect(p(event({ principal: { id: 'arn:aws:iam::1:role/app', type: 'role', class: 'standard', session_name: 'AWSCloudFormation' } }))).toBe(false);
  });

  it('user_agent_patterns: a search on the user agent; events without one are not excepted', () => {
    const p = compile({ user_agent_patterns: ['^(cloudformation|servicecatalog)\\.amazonaws\\.com$'] });
    expect(p(event({ source: { user_agent: 'cloudformation.amazonaws.com' } }))).toBe(true);
    expect(p(event({ source: { user_agent: 'CloudFormation.amazonaws.com' } }))).toBe(true);
    expect(p(event({ source: { user_agent: 'evil cloudformation.amazonaws.com' } }))).toBe(false);
    expect(p(event({ source: {} }))).toBe(false);
  });

  it('source_cidrs: IPv4 and IPv6 blocks and bare addresses; events without an IP are not excepted', () => {
    const p = compile({ source_cidrs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] });
    expect(p(event())).toBe(true);
    expect(p(event({ source: { ip: '11.0.0.1' } }))).toBe(false);
    expect(p(event({ source: { ip: '2001:db8:1::5' } }))).toBe(true);
    expect(p(event({ source: { ip: '2001:db9::1' } }))).toBe(false);
    expect(p(event({ source: { ip: '192.0.2.7' } }))).toBe(true);
    expect(p(event({ source: { ip: '192.0.2.8' } }))).toBe(false);
    expect(p(event({ source: { host: 'ssm.amazonaws.com' } }))).toBe(false);
  });

  it('aws_service_callers: principal.type aws_service only', () => {
    const p = compile({ aws_service_callers: true });
    expect(p(event({ principal: { id: 'cloudformation.amazonaws.com', type: 'aws_service', class: 'service_account' } }))).toBe(true);
    expect(p(event())).toBe(false);
    expect(compile({ aws_service_callers: false })(event({ principal: { id: 'x', type: 'aws_service', class: 'service_account' } }))).toBe(false);
  });

  it('any one exception is enough', () => {
    const p = compile({ principals: ['nobody'], source_cidrs: ['10.0.0.0/8'] });
    expect(p(event())).toBe(true);
  });

  it('throws SW_RULE_INVALID on a CIDR block that the loader would have rejected', () => {
    try {
      compile({ source_cidrs: ['10.0.0.0/40'] });
      expect.unreachable();
    } catch (err) {
      expect(isSecretwatchError(err) && err.code).toBe('SW_RULE_INVALID');
    }
  });
});
