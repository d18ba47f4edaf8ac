import type { Alert } from '../../detectors/alerts/alert.js';

/** A realistic alert (the attribute kinds buildAlert produces: strings, integers, string arrays). */
export function makeAlert(n: number, overrides: Partial<Alert> = {}): Alert {
  return {
    time: new Date(Date.UTC(2024, 6, 31, 12, 0, 0) + n * 1000).toISOString(),
    observed_time: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678) + n).toISOString(),
    severity_text: 'HIGH',
    severity_number: 17,
    body: `Secret read burst: arn:aws:iam::123456789012:user/alice read 40 secrets in 5m (#${n})`,
    attributes: {
      'security_rule.name': 'secret-read-burst',
      'security_rule.uuid': '7d1f7c3e-0f5e-4a47-9c53-4f3b0a3c9d11',
      'cloud.provider': 'aws',
      'cloud.account.id': '123456789012',
      'user.id': 'arn:aws:iam::123456789012:user/alice',
      'client.address': '203.0.113.7',
      'secretwatch.alert.id': `alert-${String(n).padStart(6, '0')}`,
      'secretwatch.risk_score': 73,
      'secretwatch.distinct_secrets': 40,
      'secretwatch.sample_secrets': ['prod/db', 'prod/api-key'],
      'secretwatch.event.time': new Date(Date.UTC(2024, 6, 31, 12, 0, 0) + n * 1000).toISOString(),
    },
    ...overrides,
  };
}

export function makeAlerts(from: number, count: number): Alert[] {
  return Array.from({ length: count }, (_, i) => makeAlert(from + i));
}

export function alertId(alert: Alert): string {
  return String(alert.attributes['secretwatch.alert.id']);
}
