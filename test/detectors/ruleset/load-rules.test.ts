import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRulesDir, loadRules, parseRuleFile } from '../../../detectors/ruleset/load-rules.js';
import { isSecretwatchError } from '../../../src/errors/codes.js';
import { packageRoot } from '../../../src/paths.js';
import { minimalRule, ruleDir } from './rule-fixture.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function dirWith(files: Record<string, Record<string, unknown> | string>): string {
  const { dir, cleanup } = ruleDir(files);
  cleanups.push(cleanup);
  return dir;
}

/** The SW_RULE_INVALID message loadRules throws for this folder. */
function loadError(dir: string): string {
  try {
    loadRules(dir);
  } catch (err) {
    if (isSecretwatchError(err) && err.code === 'SW_RULE_INVALID') return err.message;
    throw err;
  }
  throw new Error('loadRules did not throw');
}

/** Problems of one rule object, as `path: message` lines. */
function problemsOf(rule: Record<string, unknown>, id = String(rule['id'])): string[] {
  return parseRuleFile(`/rules/${id}.yaml`, JSON.stringify(rule)).problems.map((p) => `${p.path}: ${p.message}`);
}

describe('loadRules', () => {
  it('loads a valid rule, applies schema defaults and pre-parses durations', () => {
    const rule = minimalRule('spike');
    rule['engine'] = { type: 'threshold', group_by: ['principal.id'], window: '1h', count_above: 50 };
    rule['throttle'] = { group_by: ['principal.id'], duration: '2h' };
    rule['learning_period'] = '24h';
    const dir = dirWith({ 'spike.yaml': rule });
    const [loaded, ...rest] = loadRules(dir);
    expect(rest).toEqual([]);
    expect(loaded?.file).toBe(join(dir, 'spike.yaml'));
    expect(loaded?.spec.enabled).toBe(true);
    expect(loaded?.windowMs).toBe(3_600_000);
    expect(loaded?.throttleMs).toBe(7_200_000);
    expect(loaded?.learningPeriodMs).toBe(86_400_000);
    expect(loaded?.precedingMatch).toBeUndefined();
  });

  it('returns rules sorted by file name and compiles the sequence engine preceding match', () => {
    const seq = minimalRule('b_seq', '11111111-1111-4111-8111-111111111111');
    seq['engine'] = {
      type: 'sequence',
      group_by: ['principal.id'],
      preceded_by: { match: { outcome: 'failure' }, at_least: 3 },
      within: '10m',
    };
    const dir = dirWith({ 'b_seq.yaml': seq, 'a_match.yaml': minimalRule('a_match') });
    const rules = loadRules(dir);
    expect(rules.map((r) => r.spec.id)).toEqual(['a_match', 'b_seq']);
    expect(rules[1]?.windowMs).toBe(600_000);
    expect(rules[1]?.precedingMatch).toBeTypeOf('function');
  });

  it('reports a YAML syntax error with its line', () => {
    const dir = dirWith({ 'bad.yaml': 'id: bad\ntitle: [unclosed\n' });
    const message = loadError(dir);
    expect(message).toMatch(/^invalid rules \(1 problem\):\n/);
    expect(message).toContain(`${join(dir, 'bad.yaml')}: line `);
    expect(message).toContain('YAML:');
  });

  it('reports a duplicate YAML key', () => {
    const dir = dirWith({ 'dup.yaml': 'id: dup\nid: dup\n' });
    expect(loadError(dir)).toMatch(/dup\.yaml: line 2, column 1: YAML: Map keys must be unique/);
  });

  it('reports an empty file', () => {
    const dir = dirWith({ 'empty.yaml': '' });
    expect(loadError(dir)).toContain(`${join(dir, 'empty.yaml')}: (root): must be a mapping of rule keys`);
  });

  it('names an unknown top-level key and lists the allowed ones', () => {
    const rule = { ...minimalRule('x'), severtiy: 'high' };
    const [line] = problemsOf(rule);
    expect(line).toMatch(/^severtiy: unknown key; allowed keys here are id, uuid, title, description, severity, /);
  });

  it('names an unknown key inside the chosen engine variant', () => {
    const rule = minimalRule('x');
    rule['engine'] = { type: 'threshold', group_by: ['principal.id'], window: '1h', count_above: 5, windw: '2h' };
    expect(problemsOf(rule)).toEqual([
      'engine.windw: unknown key; allowed keys here are type, group_by, window, count_above, distinct, sketch',
    ]);
  });

  it('names an unknown match field and lists the rule fields', () => {
    const rule = minimalRule('x');
    rule['match'] = { 'principal.idd': 'x' };
    const [line] = problemsOf(rule);
    expect(line).toMatch(/^match\.principal\.idd: is not a rule field; fields are provider, service, operation, /);
  });

  it('explains a duration without a unit', () => {
    const rule = minimalRule('x');
    rule['engine'] = { type: 'threshold', group_by: ['principal.id'], window: '60', count_above: 5 };
    const dir = dirWith({ 'x.yaml': rule });
    expect(loadError(dir)).toContain(
      `${join(dir, 'x.yaml')}: engine.window: must be a duration with a unit, such as 500ms, 30s, 10m, 2h or 30d`,
    );
  });

  it('explains a number where a duration is expected', () => {
    const rule = minimalRule('x');
    rule['throttle'] = { group_by: ['principal.id'], duration: 3600 };
    expect(problemsOf(rule)).toEqual(['throttle.duration: must be a string, not the number 3600']);
  });

  it('lists the engine types when the type is unknown', () => {
    const rule = minimalRule('x');
    rule['engine'] = { type: 'thresh' };
    expect(problemsOf(rule)).toEqual([
      'engine.type: must be one of threshold, new_terms, sequence, multi_provider, time_of_day, match; got the string "thresh"',
    ]);
  });

  it('lists the allowed values of an enumeration and of a group_by field', () => {
    const rule = minimalRule('x');
    rule['severity'] = 'urgent';
    rule['throttle'] = { group_by: ['user'], duration: '1h' };
    const lines = problemsOf(rule);
    expect(lines).toContain('severity: must be one of low, medium, high, critical; got the string "urgent"');
    expect(lines.some((l) => l.startsWith('throttle.group_by[0]: must be one of provider, service, '))).toBe(true);
  });

  it('says what a field condition may be', () => {
    const rule = minimalRule('x');
    rule['match'] = { action: { any_off: ['read'] }, outcome: {}, provider: null };
    expect(problemsOf(rule)).toEqual([
      'match.action.any_off: unknown key; allowed keys here are any_of, not, regex, starts_with, exists, ignore_case',
      'match.action: needs at least one operator',
      'match.outcome: needs at least one operator',
      'match.provider: must be a string, a number, true or false, a list or a mapping, not null (an empty value)',
    ]);
  });

  it('reports missing required keys', () => {
    const rule = minimalRule('x');
    delete rule['triage'];
    expect(problemsOf(rule)).toEqual(['triage: is required (a string)']);
  });

  it('explains a bad uuid and a bad MITRE id', () => {
    const rule = minimalRule('x', 'not-a-uuid');
    rule['mitre'] = { tactic: { id: 'Credential Access', name: 'x' }, technique: { id: 'T1555.006', name: 'y' } };
    const lines = problemsOf(rule);
    expect(lines[0]).toMatch(/^uuid: must be a UUID such as .*crypto\.randomUUID/);
    expect(lines[1]).toBe('mitre.tactic.id: must match the pattern /^TA\\d{4}$/');
  });

  it('requires the id to equal the file name', () => {
    const dir = dirWith({ 'other_name.yaml': minimalRule('some_id') });
    expect(loadError(dir)).toContain(
      `${join(dir, 'other_name.yaml')}: id: is "some_id" but the file is other_name.yaml; a rule's id must equal its file name`,
    );
  });

  it('rejects two rules with the same uuid', () => {
    const dir = dirWith({ 'a.yaml': minimalRule('a'), 'b.yaml': minimalRule('b') });
    expect(loadError(dir)).toContain(
      `${join(dir, 'b.yaml')}: uuid: 0b7cf5a5-54d1-4a2b-9a53-a8e6f2b0c1d4 is already the uuid of ${join(dir, 'a.yaml')}; every rule needs its own`,
    );
  });

  it('rejects regular expressions that do not compile, in match, preceding match and exceptions', () => {
    const rule = minimalRule('x');
    rule['match'] = { 'source.user_agent': { regex: 'pacu(' } };
    rule['engine'] = {
      type: 'sequence',
      group_by: ['principal.id'],
      preceded_by: { match: { error_code: { regex: '[' } }, at_least: 2 },
      within: '1m',
    };
    rule['exceptions'] = { principal_patterns: ['ok', '*bad'] };
    const lines = problemsOf(rule);
    expect(lines.map((l) => l.split(': ')[0])).toEqual([
      'match.source.user_agent.regex',
      'engine.preceded_by.match.error_code.regex',
      'exceptions.principal_patterns[1]',
    ]);
    expect(lines[0]).toContain('is not a valid regular expression');
  });

  it('rejects CIDR blocks that do not parse and accepts IPv4, IPv6 and bare addresses', () => {
    const rule = minimalRule('x');
    rule['exceptions'] = { source_cidrs: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7', '10.0.0.0/33', 'office'] };
    expect(problemsOf(rule)).toEqual([
      'exceptions.source_cidrs[3]: must be an IP address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32, not "10.0.0.0/33"',
      'exceptions.source_cidrs[4]: must be an IP address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32, not "office"',
    ]);
  });

  it('requires count_above or distinct in a threshold', () => {
    const rule = minimalRule('x');
    rule['engine'] = { type: 'threshold', group_by: ['principal.id'], window: '1h' };
    expect(problemsOf(rule)).toEqual(['engine: a threshold needs count_above, distinct, or both']);
  });

  it('rejects working hours that end before they start', () => {
    const rule = minimalRule('x');
    rule['engine'] = { type: 'time_of_day', working_hours_utc: [20, 7] };
    expect(problemsOf(rule)).toEqual([
      'engine.working_hours_utc: must be [start, end) with start before end, such as [7, 20] (UTC hours)',
    ]);
  });

  it('checks test events strictly: misspelt fields, bad enum values and bad times', () => {
    const rule = minimalRule('x');
    rule['tests'] = [
      {
        name: 'typos',
        events: [{ principal: { typ: 'user' } }, { outcome: 'ok' }, { at: 'tomorrow' }, { time: '2026-01-01T00:00:00Z' }],
        expect: [],
      },
    ];
    const lines = problemsOf(rule);
    expect(lines[0]).toMatch(/^tests\[0\]\.events\[0\]\.principal\.typ: unknown key; allowed keys here are id, type, class, /);
    expect(lines[1]).toBe('tests[0].events[1].outcome: must be one of success, failure; got the string "ok"');
    expect(lines[2]).toMatch(/^tests\[0\]\.events\[2\]\.at: must be an ISO 8601 time/);
    expect(lines[3]).toMatch(/^tests\[0\]\.events\[3\]\.time: unknown key; allowed keys here are repeat, every, at, /);
  });

  it('rejects an expectation past the last test event, counting repeats', () => {
    const rule = minimalRule('x');
    rule['tests'] = [{ name: 'short', events: [{ repeat: 3 }, {}], expect: [{ at_event: 4 }] }];
    expect(problemsOf(rule)).toEqual(["tests[0].expect[0].at_event: is 4, past the test's last event (index 3; repeats count)"]);
  });

  it('rejects two tests with the same name', () => {
    const rule = minimalRule('x');
    rule['tests'] = [
      { name: 'same', events: [{}], expect: [] },
      { name: 'same', events: [{}], expect: [] },
    ];
    expect(problemsOf(rule)).toEqual(['tests[1].name: repeats the name "same"; test names must be unique']);
  });

  it('reports every problem of every file in one error', () => {
    const bad = minimalRule('one');
    bad['severity'] = 'x';
    const worse = minimalRule('two', '22222222-2222-4222-8222-222222222222');
    worse['risk_score'] = 101;
    const dir = dirWith({ 'one.yaml': bad, 'two.yaml': worse, 'three.yml': minimalRule('three') });
    const message = loadError(dir);
    expect(message.split('\n')).toEqual([
      'invalid rules (3 problems):',
      `  ${join(dir, 'three.yml')}: rule files must end in .yaml (this one is skipped otherwise)`,
      `  ${join(dir, 'one.yaml')}: severity: must be one of low, medium, high, critical; got the string "x"`,
      `  ${join(dir, 'two.yaml')}: risk_score: must be at most 100`,
    ]);
  });

  it('fails on a folder without rules and on a missing folder', () => {
    const dir = dirWith({ 'README.md': '# nothing' });
    expect(loadError(dir)).toContain(`${dir}: no *.yaml rule files found`);
    expect(loadError(join(dir, 'missing'))).toMatch(/cannot read the rules directory .*missing: ENOENT/);
  });

  it('shows paths relative to the working directory when inside it', () => {
    const inside = join(process.cwd(), 'detectors', 'no-such-folder');
    expect(loadError(inside)).toMatch(/^cannot read the rules directory detectors\/no-such-folder: ENOENT/);
  });

  it('defaultRulesDir is the package folder detectors/rules', () => {
    expect(defaultRulesDir()).toBe(join(packageRoot(), 'detectors', 'rules'));
  });
});
