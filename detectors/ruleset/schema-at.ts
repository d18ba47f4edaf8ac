/**
 * Finds the zod schema that validates one position of a document, so that an error message can
 * say what that position allows ("allowed keys: ..."), not only what was wrong.
 *
 * Reads zod 4's `_zod.def` introspection data. Only the shapes the rule schema uses are known:
 * objects, records, arrays, tuples, unions (discriminated or not), wrappers (optional, default,
 * nullable, pipe). Anything else yields undefined and the caller falls back to zod's own words.
 */

interface Def {
  type: string;
  shape?: Record<string, SchemaLike>;
  element?: SchemaLike;
  items?: SchemaLike[];
  innerType?: SchemaLike;
  in?: SchemaLike;
  keyType?: SchemaLike;
  valueType?: SchemaLike;
  options?: SchemaLike[];
  discriminator?: string;
  entries?: Record<string, string | number>;
  values?: unknown[];
}

export interface SchemaLike {
  _zod: { def: unknown };
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'nonoptional', 'readonly', 'catch']);

function def(schema: SchemaLike): Def {
  return schema._zod.def as Def;
}

/** The schema under optional/default/nullable/pipe wrappers. */
export function unwrap(schema: SchemaLike): SchemaLike {
  let s = schema;
  for (let i = 0; i < 16; i++) {
    const d = def(s);
    if (WRAPPERS.has(d.type) && d.innerType !== undefined) s = d.innerType;
    else if (d.type === 'pipe' && d.in !== undefined) s = d.in;
    else return s;
  }
  return s;
}

/** The literal values a discriminated-union option accepts for its discriminator key. */
function discriminatorValues(option: SchemaLike, key: string): unknown[] {
  const field = def(unwrap(option)).shape?.[key];
  if (field === undefined) return [];
  const d = def(unwrap(field));
  if (d.type === 'literal') return d.values ?? [];
  if (d.type === 'enum') return Object.values(d.entries ?? {});
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Picks the option of a union that the document selected: by the discriminator value, or, for a
 * plain union, the option of the same kind as the value (the mapping form of a field condition).
 */
function chooseOption(d: Def, value: unknown): SchemaLike | undefined {
  if (d.options === undefined) return undefined;
  if (d.discriminator !== undefined) {
    if (!isRecord(value)) return undefined;
    const selected = value[d.discriminator];
    return d.options.find((o) => discriminatorValues(o, d.discriminator as string).includes(selected));
  }
  const kind = Array.isArray(value) ? 'array' : isRecord(value) ? 'object' : undefined;
  if (kind === undefined) return undefined;
  return d.options.find((o) => def(unwrap(o)).type === kind);
}

/**
 * The schema at `path` inside `root`, using the document `input` to choose union branches.
 * Undefined when the path leaves the schema (an unknown key) or crosses a union that the
 * document does not settle.
 */
export function schemaAt(root: SchemaLike, path: readonly PropertyKey[], input: unknown): SchemaLike | undefined {
  let schema: SchemaLike = root;
  let value: unknown = input;
  for (const segment of path) {
    let s = unwrap(schema);
    let d = def(s);
    if (d.type === 'union') {
      const chosen = chooseOption(d, value);
      if (chosen === undefined) return undefined;
      s = unwrap(chosen);
      d = def(s);
    }
    let next: SchemaLike | undefined;
    if (d.type === 'object') next = d.shape?.[String(segment)];
    else if (d.type === 'record') next = d.valueType;
    else if (d.type === 'array') next = d.element;
    else if (d.type === 'tuple') next = d.items?.[Number(segment)];
    if (next === undefined) return undefined;
    schema = next;
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[segment as string] : undefined;
  }
  return schema;
}

/**
 * The keys a mapping schema allows: an object's properties, or a record's enumerated keys (the
 * rule fields of `match`). Undefined for anything else.
 */
export function allowedKeys(schema: SchemaLike | undefined, value: unknown): { keys: string[]; kind: 'keys' | 'fields' } | undefined {
  if (schema === undefined) return undefined;
  let d = def(unwrap(schema));
  if (d.type === 'union') {
    const chosen = chooseOption(d, value);
    if (chosen === undefined) return undefined;
    d = def(unwrap(chosen));
  }
  if (d.type === 'object' && d.shape !== undefined) return { keys: Object.keys(d.shape), kind: 'keys' };
  if (d.type === 'record' && d.keyType !== undefined) {
    const k = def(unwrap(d.keyType));
    if (k.type === 'enum' && k.entries !== undefined) return { keys: Object.values(k.entries).map(String), kind: 'fields' };
  }
  return undefined;
}

/** The value at `path` in a parsed document, or undefined. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (!isRecord(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment as string];
  }
  return value;
}
