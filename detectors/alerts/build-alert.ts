import type { SecretAccessEvent } from '../../normalizers/schema.js';
import type { Finding } from '../engines/engine.js';
import type { RuleSpec } from '../ruleset/rule-schema.js';
import { alertId } from './alert-id.js';
import { ALERT_BOUNDS, boundValue, TRUNCATED_ATTRIBUTE, TRUNCATED_LIST_ATTRIBUTE, truncateUtf8 } from './alert-bounds.js';
import { SEVERITY_NUMBER, type Alert, type AlertAttributeValue } from './alert.js';

export const RULESET_NAME = 'secretwatch';

/** The key that identifies the triggering event across replays: the provider's id, else time and pointer. */
function eventKey(event: SecretAccessEvent): string {
  return event.event_id ?? `${event.time_ms}|${event.principal.id}|${event.raw.source}|${event.raw.index}`;
}

function describeSource(ip: AlertAttributeValue | undefined, host: string | undefined): string {
  if (ip !== undefined) return ` from ${String(ip)}`;
  if (host !== undefined) return ` via ${host}`;
  return '';
}

function describeCloud(event: SecretAccessEvent, account: AlertAttributeValue | undefined): string {
  const where = account !== undefined ? ` account ${String(account)}` : '';
  return ` (${event.provider}${where})`;
}

/** The attributes a rule file defines: trusted, the same on every alert of the rule. */
function ruleAttributes(rule: RuleSpec): Record<string, AlertAttributeValue> {
  return {
    'security_rule.name': rule.id,
    'security_rule.uuid': rule.uuid,
    'security_rule.category': rule.category,
    'security_rule.description': rule.description.trim(),
    'security_rule.reference': rule.references[0] ?? '',
    'security_rule.version': String(rule.version),
    'security_rule.ruleset.name': RULESET_NAME,
    'secretwatch.rule.title': rule.title,
    'secretwatch.risk_score': rule.risk_score,
    'secretwatch.mitre.tactic.id': rule.mitre.tactic.id,
    'secretwatch.mitre.technique.id': rule.mitre.technique.id,
    'secretwatch.mitre.technique.name': rule.mitre.technique.name,
  };
}

/** The attributes copied from the event and the finding: whoever wrote the record chose them. */
function eventAttributes(finding: Finding): Record<string, AlertAttributeValue> {
  const { event } = finding;
  const attributes: Record<string, AlertAttributeValue> = {
    'cloud.provider': event.provider === 'aws' ? 'aws' : event.provider === 'gcp' ? 'gcp' : 'azure',
    'user.id': event.principal.id,
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
  for (const [name, value] of Object.entries(finding.measures)) attributes[`secretwatch.${name}`] = value;
  if (!('secretwatch.sample_secrets' in attributes) && event.secrets.length > 0) attributes['secretwatch.sample_secrets'] = [...event.secrets];
  return attributes;
}

/**
 * Turns an engine finding into the alert record: OpenTelemetry semantic-convention attributes
 * where they exist (`security_rule.*`, `cloud.*`, `user.id`, `client.address`,
 * `user_agent.original`), `secretwatch.*` for the rest.
 *
 * Everything taken from the event is bounded (ALERT_BOUNDS): a value over the bound is cut and
 * named in `secretwatch.alert.truncated_attributes`, with `secretwatch.alert.truncated: true`.
 * The alert id is computed before any cut, from the whole values, so it is the same as ever.
 */
export function buildAlert(rule: RuleSpec, finding: Finding, observedMs: number): Alert {
  const { event } = finding;
  const attributes = ruleAttributes(rule);
  attributes['secretwatch.alert.id'] = alertId(rule.id, finding.group, eventKey(event));
  const truncated: string[] = [];
  for (const [name, raw] of Object.entries(eventAttributes(finding))) {
    const { value, cut } = boundValue(raw);
    attributes[name] = value;
    if (cut) truncated.push(name);
  }
  const host = event.source.host === undefined ? undefined : truncateUtf8(event.source.host, ALERT_BOUNDS.value_bytes);
  // Built from the bounded values; the summary is the engine's own text around the operation name.
  const wholeBody = `${rule.title}: ${String(attributes['user.id'])} ${finding.summary}${describeSource(attributes['client.address'], host)}${describeCloud(event, attributes['cloud.account.id'])}; confirm with the owner of this identity and rotate what it read if the access was not expected.`;
  const body = truncateUtf8(wholeBody, ALERT_BOUNDS.body_bytes);
  if (body !== wholeBody || (host !== undefined && host !== event.source.host)) truncated.push('body');
  if (truncated.length > 0) {
    attributes[TRUNCATED_ATTRIBUTE] = true;
    attributes[TRUNCATED_LIST_ATTRIBUTE] = truncated;
  }
  return {
    time: event.time,
    observed_time: new Date(observedMs).toISOString(),
    severity_text: rule.severity.toUpperCase(),
    severity_number: SEVERITY_NUMBER[rule.severity],
    body,
    attributes,
  };
}
