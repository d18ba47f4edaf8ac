import { z } from 'zod';
import type { PrincipalClass, PrincipalType, Provider, SecretAction, SecretService, Outcome } from '../../normalizers/schema.js';
import { parseEventTime } from '../../normalizers/common/time.js';
import { parseDuration } from './duration.js';

/**
 * The shape of one event in a rule's inline test: a partial normalized event plus `repeat`,
 * `every` and `at`. Strict (a misspelt field is a load error, not a silently default value), and
 * lenient where YAML is: numbers are accepted for text fields, `null` removes a default.
 * The rule schema keeps test events loose; the loader checks each one against this.
 */

const PROVIDERS = ['aws', 'gcp', 'azure'] as const satisfies readonly Provider[];
const SERVICES = ['secretsmanager', 'ssm', 'secretmanager', 'keyvault'] as const satisfies readonly SecretService[];
const ACTIONS = ['read', 'batch_read', 'describe', 'list'] as const satisfies readonly SecretAction[];
const OUTCOMES = ['success', 'failure'] as const satisfies readonly Outcome[];
const PRINCIPAL_TYPES = [
  'user',
  'role',
  'service_account',
  'managed_identity',
  'root',
  'aws_service',
  'unknown',
] as const satisfies readonly PrincipalType[];
const PRINCIPAL_CLASSES = ['high_privilege', 'service_account', 'standard'] as const satisfies readonly PrincipalClass[];

// Compile-time checks that the lists above name every member of the schema's unions.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
const complete: [
  Missing<Provider, (typeof PROVIDERS)[number]>,
  Missing<SecretService, (typeof SERVICES)[number]>,
  Missing<SecretAction, (typeof ACTIONS)[number]>,
  Missing<PrincipalType, (typeof PRINCIPAL_TYPES)[number]>,
  Missing<PrincipalClass, (typeof PRINCIPAL_CLASSES)[number]>,
] = [true, true, true, true, true];
void complete;

const AT_OFFSET = /^([+-])(\d+(?:ms|s|m|h|d))$/;

/** Epoch ms of an `at` value relative to the test's start, or undefined when it is not valid. */
export function resolveAt(at: string, startMs: number): number | undefined {
  const offset = AT_OFFSET.exec(at.trim());
  if (offset !== null) {
    const ms = parseDuration(offset[2] as string);
    if (ms === undefined) return undefined;
    return offset[1] === '-' ? startMs - ms : startMs + ms;
  }
  return parseEventTime(at);
}

// YAML reads `error_code: 403` or `account: 111111111111` as numbers: accept them as text.
const text = z.union([z.string(), z.number()]).transform((v) => String(v));
const removable = text.nullable().optional();
const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration with a unit, such as 500ms, 30s, 10m, 2h or 30d',
});

/** A test event as written in a rule file; strict, so a misspelt field fails the load. */
export const testEventSchema = z.strictObject({
  repeat: z.number().int().min(1).max(100_000).optional(),
  every: duration.optional(),
  at: z
    .string()
    .refine((s) => resolveAt(s, 0) !== undefined, {
      message: "must be an ISO 8601 time (2026-01-05T22:00:00Z) or an offset from the test's start (+10m, -1h)",
    })
    .optional(),
  provider: z.enum(PROVIDERS).optional(),
  service: z.enum(SERVICES).optional(),
  operation: text.optional(),
  action: z.enum(ACTIONS).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  error_code: removable,
  principal: z
    .strictObject({
      id: text.optional(),
      type: z.enum(PRINCIPAL_TYPES).optional(),
      class: z.enum(PRINCIPAL_CLASSES).optional(),
      session_name: removable,
      display_name: removable,
      credential_id: removable,
    })
    .optional(),
  source: z.strictObject({ ip: removable, host: removable, user_agent: removable, vpc_endpoint_id: removable }).optional(),
  cloud: z.strictObject({ account: removable, region: removable }).optional(),
  secrets: z.array(text).optional(),
  decrypted: z.boolean().nullable().optional(),
  batch_filters: z.array(z.strictObject({ key: text, values: z.array(text) })).nullable().optional(),
  event_id: removable,
});

export type TestEventSpec = z.infer<typeof testEventSchema>;

