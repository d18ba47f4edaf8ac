import { hostname } from 'node:os';
import type { Alert } from '../../detectors/alerts/alert.js';
import { Detector } from '../../detectors/detector.js';
import { parseDuration } from '../../detectors/ruleset/duration.js';
import { defaultRulesDir, loadRules } from '../../detectors/ruleset/load-rules.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { otlpJsonRequest } from '../export/otlp-json.js';
import { LineWriter } from '../io/line-writer.js';
import { expandInputs } from '../input/walk.js';
import { replay, type ReplaySummary } from '../replay/replay.js';
import { loadDetectorState, saveDetectorState, type SavedState } from '../state/detector-state-file.js';
import { restoreDetector } from '../state/restore-detector.js';
import { alertTableHeader, alertTableRow } from './alert-table.js';
import { formatDecodeSummary } from './summary.js';
import { packageVersion } from './version.js';

export type AlertFormat = 'jsonl' | 'otlp-json' | 'table';

export interface ReplayCommandOptions {
  format?: AlertFormat;
  rules?: string;
  config?: string;
  stateDir?: string;
  learning?: boolean;
  quiet?: boolean;
  /** `baseline`: fill state, print no alerts, save state at the end. */
  baseline?: boolean;
}

/** Settings from the config file with command-line flags on top. */
function effectiveSettings(config: Config, options: ReplayCommandOptions): {
  rulesDir: string;
  stateDir: string | undefined;
  learning: 'auto' | 'skip';
} {
  return {
    rulesDir: options.rules ?? config.rules.dir ?? defaultRulesDir(),
    stateDir: options.stateDir ?? config.state.dir,
    learning: options.learning === false ? 'skip' : config.detection.learning,
  };
}

/**
 * `secretwatch replay PATH...` (and `baseline`): scores inputs in event-time order and writes
 * alerts to stdout; a summary on stderr. Returns the exit code.
 */
export async function runReplay(paths: readonly string[], options: ReplayCommandOptions): Promise<number> {
  const config = loadConfig(options.config);
  const settings = effectiveSettings(config, options);
  const rules = loadRules(settings.rulesDir).filter((r) => !config.rules.disabled.includes(r.spec.id));
  const refs = await expandInputs(paths, (_path, err) => process.stderr.write(`secretwatch: ${err.message} [${err.code}]\n`));
  const detector = new Detector({
    rules,
    clock: Date.now,
    allowedLatenessMs: parseDuration(config.detection.allowed_lateness) ?? 0,
    ...(settings.learning === 'skip' ? { learningCompleteAt: Number.NEGATIVE_INFINITY } : {}),
  });
  let saved: SavedState | undefined;
  if (settings.stateDir !== undefined) {
    saved = await loadDetectorState(settings.stateDir);
    if (saved !== undefined) {
      const { restored, fresh } = restoreDetector(detector, saved);
      if (options.quiet !== true) {
        process.stderr.write(`restored state of ${restored.length} rule(s) from ${settings.stateDir}\n`);
        for (const f of fresh) process.stderr.write(`rule ${f.id} starts with fresh state: ${f.reason}\n`);
      }
    }
  }
  const format: AlertFormat = options.format ?? (process.stdout.isTTY === true ? 'table' : 'jsonl');
  const out = new LineWriter(process.stdout);
  const resource = { serviceVersion: packageVersion(), serviceInstanceId: `${hostname()}-${process.pid}` };
  let tableHeaderShown = false;
  const byRule = new Map<string, number>();
  const onAlerts = async (alerts: Alert[]): Promise<void> => {
    for (const alert of alerts) {
      const rule = String(alert.attributes['security_rule.name']);
      byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    }
    if (options.baseline === true) return;
    if (format === 'otlp-json') out.write(otlpJsonRequest(alerts, resource));
    else if (format === 'table') {
      if (!tableHeaderShown) out.write(alertTableHeader());
      tableHeaderShown = true;
      for (const alert of alerts) out.write(alertTableRow(alert));
    } else for (const alert of alerts) out.write(JSON.stringify(alert));
    await out.flushIfFull();
  };
  const showProgress = process.stderr.isTTY === true && options.quiet !== true;
  let lastDraw = 0;
  const summary = await replay(refs, detector, {
    reorderHorizonMs: parseDuration(config.detection.reorder_horizon) ?? 0,
    reorderCapacity: config.detection.reorder_capacity,
    prescanCacheEvents: 2_000_000,
    onAlerts,
    ...(showProgress
      ? {
          onProgress: (events: number) => {
            const now = Date.now();
            if (now - lastDraw < 250) return;
            lastDraw = now;
            process.stderr.write(`\r\x1b[K${events} events scored`);
          },
        }
      : {}),
  });
  if (showProgress) process.stderr.write('\r\x1b[K');
  await out.close();
  if (settings.stateDir !== undefined) {
    // The sidecar's write-ahead log records after `walThrough` still apply on top of this state.
    const { path } = await saveDetectorState(settings.stateDir, detector.snapshot(), Date.now(), { walThrough: saved?.walThrough ?? null });
    if (options.quiet !== true) process.stderr.write(`saved detector state to ${path}\n`);
  }
  if (options.quiet !== true) process.stderr.write(`${formatReplaySummary(options.baseline === true ? 'baseline' : 'replay', summary, byRule, detector)}\n`);
  return 0;
}

function formatReplaySummary(command: string, summary: ReplaySummary, byRule: ReadonlyMap<string, number>, detector: Detector): string {
  const span =
    summary.firstEventMs !== undefined && summary.lastEventMs !== undefined
      ? `  event time:    ${new Date(summary.firstEventMs).toISOString()} .. ${new Date(summary.lastEventMs).toISOString()}`
      : '  event time:    (no events)';
  const rules = [...byRule.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`);
  const stats = detector.stats();
  const late = Object.values(stats).reduce((n, s) => n + s.engine.late_events, 0);
  return [
    formatDecodeSummary(command, { inputs: summary.inputs, records: summary.records, unreadable: 0 }, summary.stats),
    span,
    `  alerts:        ${summary.alerts}${rules.length > 0 ? ` (${rules.join(', ')})` : ''}`,
    `  detector:      ${detector.ruleIds().length} rules, ${(detector.memoryBytes() / 2 ** 20).toFixed(1)} MiB of state, ${late} late events${summary.reorderForced > 0 ? `, ${summary.reorderForced} forced out of reorder buffer` : ''}`,
  ].join('\n');
}
