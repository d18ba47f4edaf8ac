import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Finding } from '../engines/engine.js';
import type { RuleSpec } from '../ruleset/rule-schema.js';
import { alertId } from './alert-id.js';
import { SEVERITY_NUMBER, type Alert, type AlertAttributeValue } from './alert.js';

export const RULESET_NAME = 'secretwatch';
const MAX_SAMPLE_SECRETS = 10;

/** The key that identifies the triggering event across replays: the provider's id, else time and pointer. */
function eventKey(event: SecretAccessEvent): string {
  return event.event_id ?? `${event.time_ms}|${event.principal.id}|${event.raw.source}|${event.raw.index}`;
}

function describeSource(event: SecretAccessEvent): string {
  if (event.source.ip !== undefined) return ` from ${event.source.ip}`;
  if (event.source.host !== undefined) return ` via ${event.source.host}`;
  return '';
}

function describeCloud(event: SecretAccessEvent): string {
  const where = event.cloud.account !== undefined ? ` account ${event.cloud.account}` : '';
  return ` (${event.provider}${where})`;
}

/**
 * Turns an engine finding into the alert record: OpenTelemetry semantic-convention attributes
 * where they exist (`security_rule.*`, `cloud.*`, `user.id`, `client.address`,
 * `user_agent.original`), `secretwatch.*` for the rest.
 */
export function buildAlert(rule: RuleSpec, finding: Finding, observedMs: number): Alert {
  const { event } = finding;
  const attributes: Record<string, AlertAttributeValue> = {
    'security_rule.name': rule.id,
    'security_rule.uuid': rule.uuid,
    'security_rule.category': rule.category,
    'security_rule.description': rule.description.trim(),
    'security_rule.reference': rule.references[0] ?? '',
    'security_rule.version': String(rule.version),
    'security_rule.ruleset.name': RULESET_NAME,
    'cloud.provider': event.provider === 'aws' ? 'aws' : event.provider === 'gcp' ? 'gcp' : 'azure',
    'user.id': event.principal.id,
    'secretwatch.alert.id': alertId(rule.id, finding.group, eventKey(event)),
    'secretwatch.rule.title': rule.title,
    'secretwatch.risk_score': rule.risk_score,
    'secretwatch.mitre.tactic.id': rule.mitre.tactic.id,
    'secretwatch.mitre.technique.id': rule.mitre.technique.id,
    'secretwatch.mitre.technique.name': rule.mitre.technique.name,
    'secretwatch.principal.type': event.principal.type,
    'secretwatch.principal.class': event.principal.class,
    'secretwatch.service': event.service,
    'secretwatch.operation': event.operation,
    'secretwatch.event.time': event.time,
    'secretwatch.source': `${event.raw.source}#${event.raw.index}`,
  };
  if (event.cloud.account !== undefined) attributes['cloud.account.id'] = event.cloud.account;
  if (event.cloud.region !== undefined) attributes['cloud.region'] = event.cloud.region;
  if (event.source.ip !== undefined) attributes['client.address'] = event.source.ip;
  if (event.source.user_agent !== undefined) attributes['user_agent.original'] = event.source.user_agent;
  if (event.principal.session_name !== undefined) attributes['secretwatch.principal.session_name'] = event.principal.session_name;
  if (event.event_id !== undefined) attributes['secretwatch.event.id'] = event.event_id;
  for (const [name, value] of Object.entries(finding.group)) attributes[`secretwatch.group.${name}`] = value;
  for (const [name, value] of Object.entries(finding.measures)) {
    attributes[`secretwatch.${name}`] = Array.isArray(value) ? value.slice(0, MAX_SAMPLE_SECRETS) : value;
  }
  if (!('secretwatch.sample_secrets' in attributes) && event.secrets.length > 0) {
    attributes['secretwatch.sample_secrets'] = event.secrets.slice(0, MAX_SAMPLE_SECRETS);
  }
  return {
    time: event.time,
    observed_time: new Date(observedMs).toISOString(),
    severity_text: rule.severity.toUpperCase(),
    severity_number: SEVERITY_NUMBER[rule.severity],
    body: `${rule.title}: ${event.principal.id} ${finding.summary}${describeSource(event)}${describeCloud(event)}; confirm with the owner of this identity and rotate what it read if the access was not expected.`,
    attributes,
  };
}
