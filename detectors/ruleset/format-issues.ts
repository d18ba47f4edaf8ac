import type { core } from 'zod';
import { allowedKeys, schemaAt, valueAt, type SchemaLike } from './schema-at.js';

/**
 * Turns zod issues into one line per problem, `key.path: what is allowed`, written for the
 * person editing the file: the key path as it appears in the file, and what would be accepted
 * there rather than what the parser expected internally.
 */

export interface Problem {
  /** Key path inside the document (`engine.window`, `tests[0].events[2].principal.type`). */
  path: string;
  message: string;
}

type Issue = core.$ZodIssue;
type Segment = PropertyKey;

/** `engine.window`, `tests[0].events[2]`; the document root is `(root)`. */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(root)' : out;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  literal: 'a fixed value',
};

function expectedName(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

/** How a value read from YAML looks to its author. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

function joinAlternatives(items: readonly string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

function sizeMessage(issue: Issue & { code: 'too_small' | 'too_big' }): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum);
  const inclusive = issue.inclusive !== false;
  switch (issue.origin) {
    case 'array':
    case 'set':
      if (small && limit === 1) return 'must not be empty';
      return `must have ${small ? 'at least' : 'at most'} ${limit} item${limit === 1 ? '' : 's'}`;
    case 'string':
      if (small && limit === 1) return 'must not be empty';
      return `must be ${small ? 'at least' : 'at most'} ${limit} characters long`;
    default:
      if (inclusive) return `must be ${small ? 'at least' : 'at most'} ${limit}`;
      return `must be ${small ? 'greater' : 'less'} than ${limit}`;
  }
}

function formatMessage(issue: Issue & { code: 'invalid_format' }): string {
  switch (issue.format) {
    case 'uuid':
      return 'must be a UUID such as 0b7cf5a5-54d1-4a2b-9a53-a8e6f2b0c1d4 (make one with: node -e "console.log(crypto.randomUUID())")';
    case 'url':
      return 'must be a URL such as https://attack.mitre.org/techniques/T1555/006/';
    case 'regex':
      // A message given in the schema (`must be snake_case`) is already written for the author.
      if (!issue.message.startsWith('Invalid')) return issue.message;
      return `must match the pattern ${String((issue as { pattern?: unknown }).pattern)}`;
    default:
      return `must be a valid ${issue.format}`;
  }
}

/** True when every issue of a union branch only says "wrong kind of value here". */
function onlyShapeMismatch(issues: readonly Issue[]): boolean {
  return issues.every(
    (i) =>
      (i.code === 'invalid_type' && i.path.length === 0) ||
      (i.code === 'invalid_union' && i.path.length === 0 && i.errors.every(onlyShapeMismatch)),
  );
}

function expectedKinds(issues: readonly Issue[]): string[] {
  const out: string[] = [];
  for (const i of issues) {
    if (i.code === 'invalid_type') out.push(expectedName(i.expected));
    else if (i.code === 'invalid_union') for (const branch of i.errors) out.push(...expectedKinds(branch));
  }
  return out;
}

interface Context {
  root: SchemaLike;
  input: unknown;
  /** Where `input` sits in its file; only used to print paths. */
  prefix: readonly Segment[];
}

function formatOne(issue: Issue, base: readonly Segment[], ctx: Context, out: Problem[]): void {
  const path = [...base, ...issue.path];
  const at = formatPath([...ctx.prefix, ...path]);
  const value = valueAt(ctx.input, path);
  switch (issue.code) {
    case 'invalid_type':
      out.push({
        path: at,
        message:
          value === undefined
            ? `is required (${expectedName(issue.expected)})`
            : `must be ${expectedName(issue.expected)}, not ${describeValue(value)}`,
      });
      return;
    case 'too_small':
    case 'too_big':
      out.push({ path: at, message: sizeMessage(issue) });
      return;
    case 'invalid_format':
      out.push({ path: at, message: formatMessage(issue) });
      return;
    case 'not_multiple_of':
      out.push({ path: at, message: `must be a multiple of ${String(issue.divisor)}` });
      return;
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      const allowed = values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${values.join(', ')}`;
      out.push({
        path: at,
        message: value === undefined ? `is required: ${allowed}` : `must be ${allowed}; got ${describeValue(value)}`,
      });
      return;
    }
    case 'unrecognized_keys': {
      const parent = valueAt(ctx.input, path);
      const allowed = allowedKeys(schemaAt(ctx.root, path, ctx.input), parent);
      for (const key of issue.keys) {
        const where = formatPath([...ctx.prefix, ...path, key]);
        if (allowed === undefined) out.push({ path: where, message: 'unknown key' });
        else if (allowed.kind === 'fields')
          out.push({ path: where, message: `is not a rule field; fields are ${allowed.keys.join(', ')}` });
        else out.push({ path: where, message: `unknown key; allowed keys here are ${allowed.keys.join(', ')}` });
      }
      return;
    }
    case 'invalid_union': {
      // zod 4 reports an unknown discriminator (`engine.type: thresh`) with the valid options.
      const { options, note } = issue as { options?: unknown[]; note?: string };
      if (note === 'No matching discriminator' && options !== undefined) {
        const list = options.map(String).join(', ');
        out.push({ path: at, message: value === undefined ? `is required: one of ${list}` : `must be one of ${list}; got ${describeValue(value)}` });
        return;
      }
      // A branch that accepted the kind of value (e.g. the operator mapping of a field condition)
      // has the specific complaint; report that one rather than every alternative.
      const specific = issue.errors.find((branch) => !onlyShapeMismatch(branch));
      if (specific !== undefined) {
        for (const i of specific) formatOne(i, path, ctx, out);
        return;
      }
      out.push({ path: at, message: `must be ${joinAlternatives(expectedKinds(issue.errors.flat()))}, not ${describeValue(value)}` });
      return;
    }
    case 'invalid_key':
    case 'invalid_element':
      for (const i of issue.issues) formatOne(i, path, ctx, out);
      return;
    default:
      out.push({ path: at, message: issue.message });
  }
}

/**
 * One problem per issue (per unknown key). `root` is the schema that produced the issues and
 * `input` the document it read; `prefix` places a sub-document (a test event) in its file.
 */
export function formatIssues(issues: readonly Issue[], root: SchemaLike, input: unknown, prefix: readonly Segment[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) formatOne(issue, [], { root, input, prefix }, out);
  return out;
}
