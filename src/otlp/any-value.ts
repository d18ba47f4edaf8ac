import type { AnyValue, Attributes } from './types.js';

/**
 * AnyValue to plain JSON-like JavaScript, the shape the decoder's formats read.
 *
 * - kvlist: an object without prototype (`Object.create(null)`), so a `__proto__`, `constructor` or
 *   `toString` key from a sender is an ordinary own property: no prototype pollution, no shadowed
 *   methods. Duplicate keys: the last wins. JSON.stringify and the formats' accessors work as usual.
 * - int: a number when it is a safe integer, else its decimal string, so no digit is lost and the
 *   result stays JSON-serializable (bigint is not).
 * - bytes: base64 text, as OTLP/JSON and Pub/Sub write bytes inside maps.
 * - empty: null.
 * Values from `decodeExportLogsRequest` are depth-bounded (MAX_ANY_VALUE_DEPTH), so the recursion is too.
 */
export function anyValueToJs(v: AnyValue): unknown {
  switch (v.kind) {
    case 'string':
    case 'bool':
    case 'double':
      return v.value;
    case 'int':
      return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.value) : v.value.toString();
    case 'bytes':
      return Buffer.from(v.value.buffer, v.value.byteOffset, v.value.byteLength).toString('base64');
    case 'array':
      return v.values.map(anyValueToJs);
    case 'kvlist': {
      const out = Object.create(null) as Record<string, unknown>;
      for (const kv of v.values) out[kv.key] = anyValueToJs(kv.value);
      return out;
    }
    case 'empty':
      return null;
  }
}

/** Attributes to a prototype-less object of plain values (see `anyValueToJs`). */
export function attributesToJs(attributes: Attributes): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(attributes)) out[key] = anyValueToJs(attributes[key] as AnyValue);
  return out;
}
