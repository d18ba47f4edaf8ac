/**
 * One alert, shaped as an OpenTelemetry log record so it maps 1:1 onto OTLP (`secretwatch.alert`
 * event name; see README "Alerts" for every attribute).
 */
export type AlertAttributeValue = string | number | boolean | string[];

export interface Alert {
  /** The triggering event's time, ISO 8601 UTC. */
  time: string;
  /** When secretwatch saw the triggering event (the injected clock), ISO 8601 UTC. */
  observed_time: string;
  /** The rule's severity in capitals: LOW, MEDIUM, HIGH, CRITICAL. */
  severity_text: string;
  /** OpenTelemetry severity number: LOW 9 (INFO), MEDIUM 13 (WARN), HIGH 17 (ERROR), CRITICAL 21 (FATAL). */
  severity_number: number;
  /** One sentence a person can act on. */
  body: string;
  attributes: Record<string, AlertAttributeValue>;
}

export const SEVERITY_NUMBER = { low: 9, medium: 13, high: 17, critical: 21 } as const;

export type Severity = keyof typeof SEVERITY_NUMBER;
