import { BlockList } from 'node:net';
import { addCidr } from './cidr.js';
import { compileRuleRegex } from './compile-match.js';
import type { Problem } from './format-issues.js';
import type { MatchSpec, RuleSpec } from './rule-schema.js';
import { checkTestEvents, countTestEvents } from './test-events.js';

/**
 * Checks a rule that passed the schema for what a schema cannot say: regular expressions that do
 * not compile, CIDR blocks that do not parse, a threshold without a threshold, hours that are
 * backwards, test events that are not events, expectations past the last test event.
 */

function checkMatchRegexes(match: MatchSpec, at: string, problems: Problem[]): void {
  for (const [field, condition] of Object.entries(match)) {
    if (typeof condition !== 'object' || Array.isArray(condition) || condition.regex === undefined) continue;
    try {
      compileRuleRegex(condition.regex, condition.ignore_case === true);
    } catch (err) {
      problems.push({ path: `${at}.${field}.regex`, message: `is not a valid regular expression (${(err as Error).message})` });
    }
  }
}

function checkPatterns(patterns: readonly string[], at: string, problems: Problem[]): void {
  patterns.forEach((pattern, i) => {
    try {
      compileRuleRegex(pattern, true);
    } catch (err) {
      problems.push({ path: `${at}[${i}]`, message: `is not a valid regular expression (${(err as Error).message})` });
    }
  });
}

function checkEngine(spec: RuleSpec, problems: Problem[]): void {
  const engine = spec.engine;
  if (engine.type === 'threshold' && engine.count_above === undefined && engine.distinct === undefined) {
    problems.push({ path: 'engine', message: 'a threshold needs count_above, distinct, or both' });
  }
  if (engine.type === 'sequence') checkMatchRegexes(engine.preceded_by.match, 'engine.preceded_by.match', problems);
  if (engine.type === 'time_of_day' && engine.working_hours_utc[0] >= engine.working_hours_utc[1]) {
    problems.push({
      path: 'engine.working_hours_utc',
      message: 'must be [start, end) with start before end, such as [7, 20] (UTC hours)',
    });
  }
}

function checkExceptions(spec: RuleSpec, problems: Problem[]): void {
  const ex = spec.exceptions;
  if (ex === undefined) return;
  checkPatterns(ex.principal_patterns, 'exceptions.principal_patterns', problems);
  checkPatterns(ex.user_agent_patterns, 'exceptions.user_agent_patterns', problems);
  const scratch = new BlockList();
  ex.source_cidrs.forEach((cidr, i) => {
    if (!addCidr(scratch, cidr)) {
      problems.push({
        path: `exceptions.source_cidrs[${i}]`,
        message: `must be an IP address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32, not ${JSON.stringify(cidr)}`,
      });
    }
  });
}

function checkTests(spec: RuleSpec, problems: Problem[]): void {
  const names = new Set<string>();
  spec.tests.forEach((test, t) => {
    const at = `tests[${t}]`;
    if (names.has(test.name)) problems.push({ path: `${at}.name`, message: `repeats the name ${JSON.stringify(test.name)}; test names must be unique` });
    names.add(test.name);
    for (const p of checkTestEvents(test)) problems.push({ path: `${at}.${p.path}`, message: p.message });
    const last = countTestEvents(test) - 1;
    test.expect.forEach((expectation, k) => {
      if (expectation.at_event !== undefined && expectation.at_event > last) {
        problems.push({
          path: `${at}.expect[${k}].at_event`,
          message: `is ${expectation.at_event}, past the test's last event (index ${last}; repeats count)`,
        });
      }
    });
  });
}

/** Problems of one schema-valid rule; `fileId` is its file name without `.yaml`. */
export function checkRule(spec: RuleSpec, fileId: string): Problem[] {
  const problems: Problem[] = [];
  if (spec.id !== fileId) {
    problems.push({ path: 'id', message: `is ${JSON.stringify(spec.id)} but the file is ${fileId}.yaml; a rule's id must equal its file name` });
  }
  checkMatchRegexes(spec.match, 'match', problems);
  checkEngine(spec, problems);
  checkExceptions(spec, problems);
  checkTests(spec, problems);
  return problems;
}
