import type {
  CloudContext,
  Principal,
  PrincipalClass,
  PrincipalType,
  Provider,
  SecretAccessEvent,
  SecretService,
  Source,
} from '../../normalizers/schema.js';
import { classifyPrincipal } from '../../normalizers/common/principal-class.js';
import { formatEventTime, parseEventTime } from '../../normalizers/common/time.js';
import { SecretwatchError } from '../../src/errors/codes.js';
import { parseDuration } from './duration.js';
import { formatIssues } from './format-issues.js';
import type { RuleTestSpec } from './rule-schema.js';
import { resolveAt, testEventSchema, type TestEventSpec } from './test-event-schema.js';

/**
 * Inline rule tests describe events as partial normalized events; this fills in the rest.
 *
 * Defaults (README "Rule tests"):
 * - time: the test's `start` (default 2026-01-05T12:00:00Z, a Monday), then each event `every`
 *   (default 1s) after the previous one, unless it has `at` (ISO 8601, or `+10m` / `-1h` from start);
 *   `repeat: N` emits N copies `every` apart, and `{i}` in any string becomes the copy's number (0..N-1);
 * - provider aws, action read, outcome success;
 * - per provider, service / operation / principal / source / cloud / secrets as in PROVIDER_DEFAULTS;
 * - a failure without `error_code` gets the provider's denial code (AccessDenied, PERMISSION_DENIED, 403);
 * - SSM events without `decrypted` get `decrypted: true` for reads, `false` otherwise, as the
 *   normalizer always sets it for SSM;
 * - `principal.class` is derived from the type and id like the normalizers do, unless given;
 * - `principal`, `source` and `cloud` are merged key by key over the defaults; `null` removes a
 *   default (`source: {ip: null, host: secretsmanager.amazonaws.com}` is a call made by a service);
 * - `raw` points at the test: source `rule-test:<rule id>/<test name>`, index = the event's
 *   position in the expanded list (the `at_event` of expectations), format `rule_test`.
 */

export const DEFAULT_TEST_START = '2026-01-05T12:00:00Z';
export const DEFAULT_TEST_EVERY = '1s';

interface ProviderDefaults {
  service: SecretService;
  operation: string;
  principal: { id: string; type: PrincipalType };
  source: Source;
  cloud: CloudContext;
  secrets: string[];
  denial: string;
}

export const PROVIDER_DEFAULTS: Readonly<Record<Provider, ProviderDefaults>> = {
  aws: {
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    principal: { id: 'arn:aws:iam::111111111111:user/test', type: 'user' },
    source: { ip: '198.51.100.10' },
    cloud: { account: '111111111111', region: 'us-east-1' },
    secrets: ['arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db'],
    denial: 'AccessDenied',
  },
  gcp: {
    service: 'secretmanager',
    operation: 'AccessSecretVersion',
    principal: { id: 'test@example.com', type: 'user' },
    source: { ip: '198.51.100.10' },
    cloud: { account: 'test-project' },
    secrets: ['projects/test-project/secrets/app-db'],
    denial: 'PERMISSION_DENIED',
  },
  azure: {
    service: 'keyvault',
    operation: 'SecretGet',
    principal: { id: 'test@example.com', type: 'user' },
    source: { ip: '198.51.100.10' },
    cloud: { account: '00000000-0000-0000-0000-000000000000', region: 'eastus' },
    secrets: ['https://test-vault.vault.azure.net/secrets/app-db'],
    denial: '403',
  },
};

/** Replaces `{i}` in every string of a parsed test event. */
function substitute(value: unknown, i: string): unknown {
  if (typeof value === 'string') return value.replaceAll('{i}', i);
  if (Array.isArray(value)) return value.map((v: unknown) => substitute(v, i));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, i);
    return out;
  }
  return value;
}

/** Defaults overlaid key by key; `null` removes a key, `undefined` keeps the default. */
function overlay<T extends object>(base: T, patch: Record<string, unknown> | undefined): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  if (patch !== undefined) {
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else if (v !== undefined) out[k] = v;
    }
  }
  return out as T;
}

function buildEvent(spec: TestEventSpec, timeMs: number, raw: SecretAccessEvent['raw']): SecretAccessEvent {
  const provider = spec.provider ?? 'aws';
  const d = PROVIDER_DEFAULTS[provider];
  const service = spec.service ?? d.service;
  const action = spec.action ?? 'read';
  const outcome = spec.outcome ?? 'success';
  const merged = overlay<Omit<Principal, 'class'> & { class?: PrincipalClass }>(d.principal, spec.principal);
  const principal: Principal = {
    ...merged,
    class: merged.class ?? classifyPrincipal(merged.type, merged.id, merged.display_name),
  };
  const event: SecretAccessEvent = {
    time: formatEventTime(timeMs),
    time_ms: timeMs,
    provider,
    service,
    operation: spec.operation ?? d.operation,
    action,
    outcome,
    principal,
    source: overlay(d.source, spec.source),
    cloud: overlay(d.cloud, spec.cloud),
    secrets: spec.secrets ?? [...d.secrets],
    raw,
  };
  const errorCode = spec.error_code === undefined ? (outcome === 'failure' ? d.denial : undefined) : spec.error_code;
  if (errorCode !== undefined && errorCode !== null) event.error_code = errorCode;
  const decrypted = spec.decrypted === undefined ? (service === 'ssm' ? action === 'read' : undefined) : spec.decrypted;
  if (decrypted !== undefined && decrypted !== null) event.decrypted = decrypted;
  if (spec.batch_filters !== undefined && spec.batch_filters !== null) event.batch_filters = spec.batch_filters;
  if (spec.event_id !== undefined && spec.event_id !== null) event.event_id = spec.event_id;
  return event;
}

/** Problems with a test's events as `path: message` lines (empty when they are all valid). */
export function checkTestEvents(test: Pick<RuleTestSpec, 'events' | 'start'>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (test.start !== undefined && parseEventTime(test.start) === undefined) {
    problems.push({ path: 'start', message: 'must be an ISO 8601 time such as 2026-01-05T12:00:00Z' });
  }
  test.events.forEach((event, j) => {
    const parsed = testEventSchema.safeParse(event);
    if (!parsed.success) problems.push(...formatIssues(parsed.error.issues, testEventSchema, event, ['events', j]));
  });
  return problems;
}

/** How many events a test expands to (the sum of its `repeat`s). */
export function countTestEvents(test: Pick<RuleTestSpec, 'events'>): number {
  let n = 0;
  for (const event of test.events) n += typeof event.repeat === 'number' ? event.repeat : 1;
  return n;
}

/**
 * The full events of one inline test, in the order written. Throws SW_RULE_INVALID on an event
 * the loader would have rejected (the loader checks every test first, so loaded rules never do).
 */
export function expandTestEvents(ruleId: string, test: RuleTestSpec): SecretAccessEvent[] {
  const problems = checkTestEvents(test);
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new SecretwatchError('SW_RULE_INVALID', `rule ${ruleId}, test "${test.name}": ${lines}`);
  }
  const startMs = parseEventTime(test.start ?? DEFAULT_TEST_START) as number;
  const source = `rule-test:${ruleId}/${test.name}`;
  const events: SecretAccessEvent[] = [];
  let previous: number | undefined;
  for (const entry of test.events) {
    const spec = testEventSchema.parse(entry);
    const every = parseDuration(spec.every ?? DEFAULT_TEST_EVERY) as number;
    const first =
      spec.at !== undefined ? (resolveAt(spec.at, startMs) as number) : previous === undefined ? startMs : previous + every;
    const repeat = spec.repeat ?? 1;
    for (let k = 0; k < repeat; k++) {
      const timeMs = first + k * every;
      const copy = substitute(spec, String(k)) as TestEventSpec;
      events.push(buildEvent(copy, timeMs, { source, index: events.length, format: 'rule_test' }));
      previous = timeMs;
    }
  }
  return events;
}
