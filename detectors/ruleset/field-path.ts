import type { SecretAccessEvent } from '../../normalizers/schema.js';

/**
 * Schema fields that rules may name, in dotted form. A closed list: a typo in a rule file is a
 * load error naming the field, not a condition that silently never matches.
 */
export const RULE_FIELDS = [
  'provider',
  'service',
  'operation',
  'action',
  'outcome',
  'error_code',
  'principal.id',
  'principal.type',
  'principal.class',
  'principal.session_name',
  'principal.display_name',
  'source.ip',
  'source.host',
  'source.user_agent',
  'source.vpc_endpoint_id',
  'cloud.account',
  'cloud.region',
  'secrets',
  'decrypted',
  'batch_filters.key',
  'batch_filters.values',
] as const;

export type RuleField = (typeof RULE_FIELDS)[number];

export function isRuleField(name: string): name is RuleField {
  return (RULE_FIELDS as readonly string[]).includes(name);
}

/**
 * The values of a field in an event, as strings: none when absent, several for arrays
 * (`secrets`, `batch_filters.values`). Booleans become `true` / `false`.
 */
export function fieldValues(event: SecretAccessEvent, field: RuleField): readonly string[] {
  switch (field) {
    case 'secrets':
      return event.secrets;
    case 'batch_filters.key':
      return event.batch_filters?.map((f) => f.key) ?? [];
    case 'batch_filters.values':
      return event.batch_filters?.flatMap((f) => f.values) ?? [];
    case 'decrypted':
      return event.decrypted === undefined ? [] : [String(event.decrypted)];
    default: {
      const value = fieldValue(event, field);
      return value === undefined ? [] : [value];
    }
  }
}

/** A single-valued field, for grouping and attributes; undefined when absent. */
export function fieldValue(event: SecretAccessEvent, field: RuleField): string | undefined {
  switch (field) {
    case 'provider':
      return event.provider;
    case 'service':
      return event.service;
    case 'operation':
      return event.operation;
    case 'action':
      return event.action;
    case 'outcome':
      return event.outcome;
    case 'error_code':
      return event.error_code;
    case 'principal.id':
      return event.principal.id;
    case 'principal.type':
      return event.principal.type;
    case 'principal.class':
      return event.principal.class;
    case 'principal.session_name':
      return event.principal.session_name;
    case 'principal.display_name':
      return event.principal.display_name;
    case 'source.ip':
      return event.source.ip;
    case 'source.host':
      return event.source.host;
    case 'source.user_agent':
      return event.source.user_agent;
    case 'source.vpc_endpoint_id':
      return event.source.vpc_endpoint_id;
    case 'cloud.account':
      return event.cloud.account;
    case 'cloud.region':
      return event.cloud.region;
    case 'decrypted':
      return event.decrypted === undefined ? undefined : String(event.decrypted);
    case 'secrets':
    case 'batch_filters.key':
    case 'batch_filters.values':
      return fieldValues(event, field).join(',') || undefined;
  }
}
