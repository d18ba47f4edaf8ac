import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { fieldValue, fieldValues, type RuleField } from './field-path.js';
import type { MatchSpec } from './rule-schema.js';

/**
 * Compiles a rule's `match` into one predicate, once, at load time: regular expressions are
 * built here, lists become sets, and the per-event work is a loop over the listed fields.
 *
 * Semantics (README "Rules"), every listed field must hold (AND); an empty match takes every event:
 * - `field: value`         some value of the field equals it (exact, case-sensitive)
 * - `field: [a, b]`        some value equals one of them
 * - `{any_of: [...]}`      same as a list
 * - `{regex: re}`          some value matches (unanchored search: anchor with ^ and $ when needed)
 * - `{starts_with: s}`     some value starts with s
 * - `{not: v | [...]}`     no value equals any of them; holds when the field is absent
 * - `{exists: true|false}` the field has at least one value / has none
 * - `{ignore_case: true}`  compares any_of, not, regex and starts_with ignoring case
 * Several operators in one mapping must all hold, each on its own. Array fields (`secrets`,
 * `batch_filters.*`) have several values; booleans compare as the strings `true` / `false`.
 */

export type EventPredicate = (event: SecretAccessEvent) => boolean;

/** Fields that can hold several values; every other field holds one value or none. */
const MULTI_VALUED: ReadonlySet<RuleField> = new Set<RuleField>(['secrets', 'batch_filters.key', 'batch_filters.values']);

/** One test on a field's values: some value passes `pred`, no value passes it, or (non)existence. */
type Atom =
  | { mode: 'some'; pred: (v: string) => boolean }
  | { mode: 'none'; pred: (v: string) => boolean }
  | { mode: 'exists'; want: boolean };

type Condition = MatchSpec[RuleField];

/** `new RegExp` for rule files: `ignoreCase` adds the `i` flag. Throws a SyntaxError on bad syntax. */
export function compileRuleRegex(source: string, ignoreCase = false): RegExp {
  return new RegExp(source, ignoreCase ? 'i' : '');
}

function setTest(values: readonly string[], ignoreCase: boolean): (v: string) => boolean {
  if (values.length === 1) {
    const only = ignoreCase ? (values[0] as string).toLowerCase() : (values[0] as string);
    return ignoreCase ? (v) => v.toLowerCase() === only : (v) => v === only;
  }
  const set = new Set(ignoreCase ? values.map((v) => v.toLowerCase()) : values);
  return ignoreCase ? (v) => set.has(v.toLowerCase()) : (v) => set.has(v);
}

/**
 * `re.test`, remembering the last value: the fields regexes look at (user agents, names) repeat
 * from one event to the next, and a case-insensitive alternation costs about a microsecond per
 * call on a long user agent, far more than comparing the string with the last one.
 */
function memoizedRegexTest(re: RegExp): (v: string) => boolean {
  let last: string | undefined;
  let lastResult = false;
  return (v) => {
    if (v !== last) {
      lastResult = re.test(v);
      last = v;
    }
    return lastResult;
  };
}

function atomsOf(condition: NonNullable<Condition>): Atom[] {
  if (typeof condition === 'string') return [{ mode: 'some', pred: setTest([condition], false) }];
  if (Array.isArray(condition)) return [{ mode: 'some', pred: setTest(condition, false) }];
  const ignoreCase = condition.ignore_case === true;
  const atoms: Atom[] = [];
  if (condition.any_of !== undefined) atoms.push({ mode: 'some', pred: setTest(condition.any_of, ignoreCase) });
  if (condition.regex !== undefined) atoms.push({ mode: 'some', pred: memoizedRegexTest(compileRuleRegex(condition.regex, ignoreCase)) });
  if (condition.starts_with !== undefined) {
    const prefix = ignoreCase ? condition.starts_with.toLowerCase() : condition.starts_with;
    atoms.push({ mode: 'some', pred: ignoreCase ? (v) => v.toLowerCase().startsWith(prefix) : (v) => v.startsWith(prefix) });
  }
  if (condition.not !== undefined) {
    const excluded = Array.isArray(condition.not) ? condition.not : [condition.not];
    atoms.push({ mode: 'none', pred: setTest(excluded, ignoreCase) });
  }
  if (condition.exists !== undefined) atoms.push({ mode: 'exists', want: condition.exists });
  return atoms;
}

function holdsOne(atoms: readonly Atom[], v: string | undefined): boolean {
  for (const atom of atoms) {
    if (atom.mode === 'exists') {
      if ((v !== undefined) !== atom.want) return false;
    } else if (atom.mode === 'some') {
      if (v === undefined || !atom.pred(v)) return false;
    } else if (v !== undefined && atom.pred(v)) return false;
  }
  return true;
}

function holdsMany(atoms: readonly Atom[], values: readonly string[]): boolean {
  for (const atom of atoms) {
    if (atom.mode === 'exists') {
      if (values.length > 0 !== atom.want) return false;
    } else if (atom.mode === 'some') {
      if (!values.some(atom.pred)) return false;
    } else if (values.some(atom.pred)) return false;
  }
  return true;
}

function fieldTest(field: RuleField, atoms: readonly Atom[]): EventPredicate {
  // Single-valued fields skip the array `fieldValues` would allocate per event.
  if (MULTI_VALUED.has(field)) return (e) => holdsMany(atoms, fieldValues(e, field));
  return (e) => holdsOne(atoms, fieldValue(e, field));
}

/** The predicate of a validated `match` (regexes must compile: the loader checks them first). */
export function compileMatch(spec: MatchSpec): EventPredicate {
  const tests: EventPredicate[] = [];
  for (const [field, condition] of Object.entries(spec) as [RuleField, Condition][]) {
    if (condition === undefined) continue;
    tests.push(fieldTest(field, atomsOf(condition)));
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0] as EventPredicate;
  return (e) => {
    for (const test of tests) if (!test(e)) return false;
    return true;
  };
}
