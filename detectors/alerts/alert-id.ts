import { createHash } from 'node:crypto';
import stringify from 'fast-json-stable-stringify';

/**
 * A stable alert id: the same rule firing on the same event for the same group always gets the
 * same id, across restarts and replays, so a backend (or the outbox) can drop duplicates.
 * Stable key order (fast-json-stable-stringify) makes the hash independent of object construction.
 */
export function alertId(ruleId: string, group: Readonly<Record<string, string>>, eventKey: string): string {
  return createHash('sha256').update(stringify({ rule: ruleId, group, event: eventKey })).digest('hex').slice(0, 32);
}
