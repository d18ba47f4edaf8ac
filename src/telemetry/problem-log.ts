import type { Logger } from './logger.js';

/** The two levels delivery problems are logged at. */
export type ProblemLevel = 'warn' | 'error';

/** Default: at most one line per problem every 30 s. */
export const PROBLEM_LOG_INTERVAL_MS = 30_000;

/**
 * Log lines for problems that can repeat many times a second (an export failing on every retry, a
 * full outbox refusing every request): at most one line per `problem` every `intervalMs`; the line
 * names it in its `problem` field and says in `suppressed` how many of the same problem were left
 * out since the previous line. The first occurrence is always logged at once. Problems are a fixed
 * set of names chosen by the callers, so the table stays small. The counts that matter are in the metrics; these lines say what happened.
 */
export class ProblemLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Pick<Logger, 'warn' | 'error'>,
    private readonly intervalMs: number = PROBLEM_LOG_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  warn(problem: string, fields: Record<string, unknown>, message: string): void {
    this.emit('warn', problem, fields, message);
  }

  error(problem: string, fields: Record<string, unknown>, message: string): void {
    this.emit('error', problem, fields, message);
  }

  private emit(level: ProblemLevel, problem: string, fields: Record<string, unknown>, message: string): void {
    const t = this.now();
    const seen = this.last.get(problem);
    if (seen !== undefined && t - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(problem, { at: t, suppressed: 0 });
    this.log[level]({ ...fields, problem, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  }
}
