import type { JsonObject } from '../format.js';

/** Small, allocation-free accessors for untrusted parsed JSON. */

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string property, else undefined. */
export function str(obj: JsonObject | undefined, key: string): string | undefined {
  if (obj === undefined) return undefined;
  const v = obj[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A string or finite number property, as a string. */
export function strOrNum(obj: JsonObject | undefined, key: string): string | undefined {
  if (obj === undefined) return undefined;
  const v = obj[key];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function obj(parent: JsonObject | undefined, key: string): JsonObject | undefined {
  if (parent === undefined) return undefined;
  const v = parent[key];
  return isObject(v) ? v : undefined;
}

export function arr(parent: JsonObject | undefined, key: string): readonly unknown[] | undefined {
  if (parent === undefined) return undefined;
  const v = parent[key];
  return Array.isArray(v) ? v : undefined;
}

/** Property lookup ignoring ASCII case: Azure and SIEM exports disagree on key case. */
export function getCaseInsensitive(parent: JsonObject | undefined, key: string): unknown {
  if (parent === undefined) return undefined;
  if (key in parent) return parent[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(parent)) if (k.toLowerCase() === lower) return parent[k];
  return undefined;
}

/** Order-preserving de-duplication. */
export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}
