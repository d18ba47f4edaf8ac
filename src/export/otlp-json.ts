import type { Alert, AlertAttributeValue } from '../../detectors/alerts/alert.js';

/**
 * Alerts as OTLP/JSON `ExportLogsServiceRequest`s, the encoding the Collector's `otlpjsonfile`
 * receiver reads: lowerCamelCase keys, 64-bit integers as strings, one request per line.
 */
type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean }
  | { arrayValue: { values: AnyValue[] } };

function anyValue(value: AlertAttributeValue): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: value.map((v) => ({ stringValue: v })) } };
}

function unixNano(iso: string): string {
  return `${BigInt(Date.parse(iso)) * 1_000_000n}`;
}

export interface ResourceInfo {
  serviceVersion: string;
  serviceInstanceId: string;
}

export function otlpLogRecord(alert: Alert): Record<string, unknown> {
  return {
    timeUnixNano: unixNano(alert.time),
    observedTimeUnixNano: unixNano(alert.observed_time),
    severityNumber: alert.severity_number,
    severityText: alert.severity_text,
    eventName: 'secretwatch.alert',
    body: { stringValue: alert.body },
    attributes: Object.entries(alert.attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
  };
}

export function otlpJsonRequest(alerts: readonly Alert[], resource: ResourceInfo): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'secretwatch' } },
            { key: 'service.version', value: { stringValue: resource.serviceVersion } },
            { key: 'service.instance.id', value: { stringValue: resource.serviceInstanceId } },
          ],
        },
        scopeLogs: [{ scope: { name: 'secretwatch', version: resource.serviceVersion }, logRecords: alerts.map(otlpLogRecord) }],
      },
    ],
  });
}
