import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, isAbsolute } from 'node:path';
import { parseDocument } from 'yaml';
import { SecretwatchError } from '../../src/errors/codes.js';
import { packageRoot } from '../../src/paths.js';
import { checkRule } from './check-rule.js';
import { compileExceptions } from './compile-exceptions.js';
import { compileMatch, type EventPredicate } from './compile-match.js';
import { parseDuration } from './duration.js';
import { formatIssues, type Problem } from './format-issues.js';
import { ruleSchema, type RuleSpec } from './rule-schema.js';

/**
 * A rule ready to run: the validated file plus what the detector needs per event, compiled once.
 *
 * How the Detector uses it, per event:
 * 1. `match(e)` selects the events the rule is about (for `sequence` rules, the final step);
 *    `precedingMatch(e)` (sequence rules only) selects the earlier steps. An event that passes
 *    neither is skipped.
 * 2. `excepted(e)` true: the event is skipped entirely (it neither fires nor feeds state).
 * 3. The engine (`spec.engine`) observes the event; a finding becomes an alert unless
 *    `learningPeriodMs` has not yet passed or the throttle (`spec.throttle.group_by`,
 *    `throttleMs`) already let one through for that group.
 * Durations are pre-parsed to milliseconds so no one parses `1h` on the hot path.
 */
export interface LoadedRule {
  /** The validated rule, schema defaults applied (`enabled`, exception lists, `days_off`). */
  readonly spec: RuleSpec;
  /** The file it came from (the directory given to loadRules joined with the file name). */
  readonly file: string;
  /** The rule's `match`. */
  readonly match: EventPredicate;
  /** True when the rule's `exceptions` exclude the event; always false without exceptions. */
  readonly excepted: EventPredicate;
  /** Sequence rules only: `engine.preceded_by.match`. */
  readonly precedingMatch?: EventPredicate;
  /**
   * The engine's time span, ms: threshold `window`, new_terms `history`, sequence and
   * multi_provider `within`. Undefined for `match` and `time_of_day` engines.
   */
  readonly windowMs?: number;
  /** `throttle.duration`, ms; undefined without a throttle. */
  readonly throttleMs?: number;
  /** `learning_period`, ms; undefined without one. */
  readonly learningPeriodMs?: number;
}

const RULE_EXTENSION = '.yaml';

/** The rules shipped with secretwatch: `<package>/detectors/rules`. */
export function defaultRulesDir(): string {
  return join(packageRoot(), 'detectors', 'rules');
}

function ms(duration: string): number {
  return parseDuration(duration) as number; // validated by the schema
}

function engineWindowMs(spec: RuleSpec): number | undefined {
  const engine = spec.engine;
  switch (engine.type) {
    case 'threshold':
      return ms(engine.window);
    case 'new_terms':
      return ms(engine.history);
    case 'sequence':
    case 'multi_provider':
      return ms(engine.within);
    default:
      return undefined;
  }
}

/**
 * Compiles a validated rule. Exported for tests and tools that build rules in code; the spec must
 * have passed `ruleSchema` (and `checkRule`, or its regexes and CIDRs may throw here).
 */
export function compileRule(spec: RuleSpec, file: string): LoadedRule {
  const rule: {
    -readonly [K in keyof LoadedRule]: LoadedRule[K];
  } = {
    spec,
    file,
    match: compileMatch(spec.match),
    excepted: compileExceptions(spec.exceptions),
  };
  if (spec.engine.type === 'sequence') rule.precedingMatch = compileMatch(spec.engine.preceded_by.match);
  const windowMs = engineWindowMs(spec);
  if (windowMs !== undefined) rule.windowMs = windowMs;
  if (spec.throttle !== undefined) rule.throttleMs = ms(spec.throttle.duration);
  if (spec.learning_period !== undefined) rule.learningPeriodMs = ms(spec.learning_period);
  return rule;
}

/** A path as the person running secretwatch typed it: relative to the working directory when inside it. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

interface Parsed {
  spec?: RuleSpec;
  problems: Problem[];
}

/** Parses, validates and checks one rule file's text. `file` names it in messages and for the id check. */
export function parseRuleFile(file: string, text: string): Parsed {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        // The library appends " at line L, column C:" and a source excerpt; the position goes in the path.
        const message = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
        return { path: pos === undefined ? '(yaml)' : `line ${pos.line}, column ${pos.col}`, message: `YAML: ${message}` };
      }),
    };
  }
  const input: unknown = doc.toJS();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { problems: [{ path: '(root)', message: 'must be a mapping of rule keys (id, uuid, title, ...); the file is empty or is not one' }] };
  }
  const result = ruleSchema.safeParse(input);
  if (!result.success) return { problems: formatIssues(result.error.issues, ruleSchema, input) };
  const fileId = basename(file, RULE_EXTENSION);
  const problems = checkRule(result.data, fileId);
  return problems.length > 0 ? { problems } : { spec: result.data, problems };
}

function listRuleFiles(dir: string): { files: string[]; problems: string[] } {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new SecretwatchError('SW_RULE_INVALID', `cannot read the rules directory ${displayPath(dir)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const files: string[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    if (entry.name.endsWith(RULE_EXTENSION)) files.push(join(dir, entry.name));
    else if (entry.name.endsWith('.yml')) {
      problems.push(`${displayPath(join(dir, entry.name))}: rule files must end in .yaml (this one is skipped otherwise)`);
    }
  }
  files.sort();
  return { files, problems };
}

/**
 * Loads every `*.yaml` rule in `dir`, sorted by file name. Every problem in every file is
 * reported at once, in one SecretwatchError('SW_RULE_INVALID') whose message has one line per
 * problem: `<file>: <key path>: <what is allowed>`. Also fails when no rule file is found, when
 * two rules share an id or a uuid, or when a file ends in `.yml`.
 * Disabled rules (`enabled: false`) are loaded too: the caller decides whether to run them.
 */
export function loadRules(dir: string): LoadedRule[] {
  const listed = listRuleFiles(dir);
  const lines = [...listed.problems];
  const rules: LoadedRule[] = [];
  for (const file of listed.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      lines.push(`${displayPath(file)}: cannot be read: ${(err as Error).message}`);
      continue;
    }
    const parsed = parseRuleFile(file, text);
    for (const p of parsed.problems) lines.push(`${displayPath(file)}: ${p.path}: ${p.message}`);
    if (parsed.spec !== undefined) rules.push(compileRule(parsed.spec, file));
  }
  if (listed.files.length === 0 && lines.length === 0) lines.push(`${displayPath(dir)}: no *.yaml rule files found`);
  const byUuid = new Map<string, string>();
  const byId = new Map<string, string>();
  for (const rule of rules) {
    const uuid = rule.spec.uuid.toLowerCase();
    const other = byUuid.get(uuid);
    if (other !== undefined) {
      lines.push(`${displayPath(rule.file)}: uuid: ${rule.spec.uuid} is already the uuid of ${displayPath(other)}; every rule needs its own`);
    } else byUuid.set(uuid, rule.file);
    const sameId = byId.get(rule.spec.id);
    if (sameId !== undefined) lines.push(`${displayPath(rule.file)}: id: ${rule.spec.id} is already the id of ${displayPath(sameId)}`);
    else byId.set(rule.spec.id, rule.file);
  }
  if (lines.length > 0) {
    const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
    throw new SecretwatchError('SW_RULE_INVALID', `invalid rules (${count}):\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
  return rules;
}
