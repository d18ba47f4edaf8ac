import { BlockList } from 'node:net';
import type { RuleSpec } from './rule-schema.js';
import type { EventPredicate } from './compile-match.js';
import { addCidr, inBlockList } from './cidr.js';
import { compileRuleRegex } from './compile-match.js';
import { SecretwatchError } from '../../src/errors/codes.js';

/**
 * Compiles a rule's `exceptions` into one predicate that is true when the event is excepted
 * (any one exception is enough):
 * - `principals`: `principal.id` equals one of them, ignoring case;
 * - `principal_patterns`: a regular expression finds a match in `principal.id`, ignoring case;
 * - `user_agent_patterns`: the same on `source.user_agent`;
 * - `source_cidrs`: `source.ip` lies in one of the blocks (events without an IP never do);
 * - `aws_service_callers`: the caller is an AWS service (`principal.type: aws_service`).
 *
 * Case is ignored because the identities are case-insensitive where they come from (IAM names are
 * unique regardless of case, e-mail addresses and Azure UPNs too) and rule authors copy them from
 * consoles that change case. Patterns are unanchored searches, like `match.regex`.
 *
 * Only `principal.id` is tested, never the session name: a caller chooses its own session name
 * (`AWSCloudFormation`...), so excepting on it would let anyone opt out of the rule.
 */

type Exceptions = NonNullable<RuleSpec['exceptions']>;

const NEVER: EventPredicate = () => false;

export function compileExceptions(exceptions: Exceptions | undefined): EventPredicate {
  if (exceptions === undefined) return NEVER;
  const tests: EventPredicate[] = [];
  if (exceptions.principals.length > 0) {
    const ids = new Set(exceptions.principals.map((p) => p.toLowerCase()));
    tests.push((e) => ids.has(e.principal.id.toLowerCase()));
  }
  for (const pattern of exceptions.principal_patterns) {
    const re = compileRuleRegex(pattern, true);
    tests.push((e) => re.test(e.principal.id));
  }
  for (const pattern of exceptions.user_agent_patterns) {
    const re = compileRuleRegex(pattern, true);
    tests.push((e) => e.source.user_agent !== undefined && re.test(e.source.user_agent));
  }
  if (exceptions.source_cidrs.length > 0) {
    const list = new BlockList();
    for (const cidr of exceptions.source_cidrs) {
      if (!addCidr(list, cidr)) throw new SecretwatchError('SW_RULE_INVALID', `exceptions.source_cidrs: not an address or CIDR block: ${cidr}`);
    }
    tests.push((e) => e.source.ip !== undefined && inBlockList(list, e.source.ip));
  }
  if (exceptions.aws_service_callers) tests.push((e) => e.principal.type === 'aws_service');
  if (tests.length === 0) return NEVER;
  return (e) => {
    for (const test of tests) if (test(e)) return true;
    return false;
  };
}
