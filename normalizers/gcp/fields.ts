import type { JsonObject } from '../format.js';
import { isObject } from '../common/json.js';

/**
 * Dual-spelling field access for Cloud Logging records.
 *
 * The same LogEntry / AuditLog arrives in two spellings: the proto3 JSON mapping (camelCase:
 * Pub/Sub sinks, file exports, Logs Explorer downloads) and the proto field names (snake_case: the
 * gRPC tail path decoded with keepCase, Log Analytics). Rather than normalising the keys of a whole
 * record (an allocation per key per record), every read names both spellings: at most two property
 * lookups, no allocation. `null` counts as absent, because BigQuery exports write null columns.
 */

export function field(o: JsonObject | undefined, camel: string, snake: string): unknown {
  if (o === undefined) return undefined;
  const v = o[camel];
  return v === undefined || v === null ? o[snake] : v;
}

/** A non-empty string under either spelling. Proto decoders write `''` for unset strings. */
export function fieldStr(o: JsonObject | undefined, camel: string, snake: string): string | undefined {
  if (o === undefined) return undefined;
  const v = o[camel];
  if (typeof v === 'string' && v !== '') return v;
  const w = o[snake];
  return typeof w === 'string' && w !== '' ? w : undefined;
}

export function fieldObj(o: JsonObject | undefined, camel: string, snake: string): JsonObject | undefined {
  const v = field(o, camel, snake);
  return isObject(v) ? v : undefined;
}

export function fieldArr(o: JsonObject | undefined, camel: string, snake: string): readonly unknown[] | undefined {
  const v = field(o, camel, snake);
  return Array.isArray(v) ? v : undefined;
}
