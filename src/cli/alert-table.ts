import type { Alert } from '../../detectors/alerts/alert.js';

/** A terminal-friendly view of alerts: one line each, the fields a person scans first. */
export function alertTableHeader(): string {
  return `${'TIME (UTC)'.padEnd(20)} ${'SEVERITY'.padEnd(8)} ${'RULE'.padEnd(30)} ${'PRINCIPAL'.padEnd(48)} SOURCE`;
}

export function alertTableRow(alert: Alert): string {
  const a = alert.attributes;
  const str = (k: string): string => (typeof a[k] === 'string' ? (a[k] as string) : '');
  const clip = (s: string, n: number): string => (s.length > n ? `…${s.slice(s.length - n + 1)}` : s.padEnd(n));
  return [
    alert.time.slice(0, 19).replace('T', ' ').padEnd(20),
    alert.severity_text.padEnd(8),
    clip(str('security_rule.name'), 30),
    clip(str('user.id'), 48),
    `${str('client.address') || '-'} ${str('cloud.provider')}`,
  ].join(' ');
}
