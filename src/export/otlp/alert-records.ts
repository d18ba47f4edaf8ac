import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { Alert } from '../../../detectors/alerts/alert.js';
import { CaptureProcessor } from './capture-processor.js';
import { isoToHrTime } from './hr-time.js';
import { SCOPE_NAME } from './resource.js';

export const ALERT_EVENT_NAME = 'secretwatch.alert';

type Logger = ReturnType<LoggerProvider['getLogger']>;
/** The input of `Logger.emit` (typed through the SDK, so no direct dependency on api-logs). */
export type LogRecordInput = Parameters<Logger['emit']>[0];

/** The OpenTelemetry log record of one alert (the README "Alerts" mapping). */
export function alertLogRecord(alert: Alert): LogRecordInput {
  return {
    eventName: ALERT_EVENT_NAME,
    timestamp: isoToHrTime(alert.time),
    observedTimestamp: isoToHrTime(alert.observed_time),
    severityNumber: alert.severity_number,
    severityText: alert.severity_text,
    body: alert.body,
    attributes: alert.attributes,
    // Never attach whatever span happens to be active: an alert is not part of a trace.
    context: ROOT_CONTEXT,
  };
}

/**
 * Turns alerts into real SDK records (`ReadableLogRecord`, the exporters' input) through a
 * LoggerProvider, so resource, scope and attribute handling are the SDK's own.
 */
export class AlertRecordFactory {
  private readonly capture = new CaptureProcessor();
  private readonly provider: LoggerProvider;
  private readonly logger: Logger;

  constructor(resource: Resource, scopeVersion: string) {
    this.provider = new LoggerProvider({
      resource,
      processors: [this.capture],
      // The SDK's default keeps 128 attributes; an alert must never lose one.
      logRecordLimits: { attributeCountLimit: 1024 },
    });
    this.logger = this.provider.getLogger(SCOPE_NAME, scopeVersion);
  }

  records(alerts: readonly Alert[]): ReadableLogRecord[] {
    this.capture.take();
    for (const alert of alerts) this.logger.emit(alertLogRecord(alert));
    return this.capture.take();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
