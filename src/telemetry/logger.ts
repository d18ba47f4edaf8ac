import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs on stderr (stdout may carry alerts). One line per lifecycle step or
 * failure, never one per event.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'secretwatch' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}

export type { Logger };
