import { join } from 'node:path';
import { parseDuration } from '../../detectors/ruleset/duration.js';
import { defaultRulesDir, loadRules, type LoadedRule } from '../../detectors/ruleset/load-rules.js';
import { loadConfig } from '../config/load-config.js';
import {
  DEFAULT_OTLP_GRPC_ENDPOINT,
  DEFAULT_OTLP_HTTP_ENDPOINT,
  DEFAULT_STATE_DIR,
  type Config,
} from '../config/schema.js';
import { SecretwatchError } from '../errors/codes.js';
import { resolveOtlpExport, type OtlpExportOptions, type ResolvedOtlpExport } from '../export/otlp/export-config.js';
import { optionalToken } from '../receivers/config-checks.js';
import { parseEndpoint } from '../receivers/endpoint.js';
import { resolveOtlpGrpcConfig, type OtlpGrpcReceiverConfig } from '../receivers/otlp-grpc/config.js';
import { resolveOtlpHttpConfig, type OtlpHttpReceiverConfig } from '../receivers/otlp-http/config.js';

/** Command-line flags of `run` that override the config file. */
export interface RunFlags {
  config?: string;
  otlpHttpListen?: string;
  otlpGrpcListen?: string;
  httpListen?: string;
  stateDir?: string;
  rules?: string;
}

/** Everything `run` needs, resolved and validated before anything starts. */
export interface RunSettings {
  config: Config;
  rules: LoadedRule[];
  rulesDir: string;
  otlpHttp: OtlpHttpReceiverConfig | undefined;
  otlpGrpc: OtlpGrpcReceiverConfig | undefined;
  httpEndpoint: string;
  stateDir: string;
  outboxDir: string;
  deadLetterFile: string;
  deadLetterMaxBytes: number;
  /** `/readyz` says degraded after alert exports have failed this long. */
  degradedAfterMs: number;
  /** `undefined`: alerts go to stdout as JSON lines. */
  otlpExport: { options: OtlpExportOptions; resolved: ResolvedOtlpExport } | undefined;
  forwardEvents: { options: OtlpExportOptions; resolved: ResolvedOtlpExport } | undefined;
  allowedLatenessMs: number;
  saveIntervalMs: number;
  /** `state.wal_max_bytes`. */
  walMaxBytes: number;
  shutdownTimeoutMs: number;
}

const ENDPOINT_VARIABLES = ['OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'];

/**
 * `SECRETWATCH_TOKEN`, checked like `bearer_token` in the file: set but empty (or blank) is an
 * error, never a silent "no authentication". Unset means no token from the environment.
 */
function tokenFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.SECRETWATCH_TOKEN;
  if (value === undefined) return undefined;
  return optionalToken(value.trim(), 'SECRETWATCH_TOKEN');
}

/**
 * Config file, then environment overrides (`SECRETWATCH_TOKEN`, `SECRETWATCH_STATE_DIR`,
 * the OTEL_EXPORTER_OTLP_* variables), then flags. Throws SW_CONFIG_INVALID (or the export
 * settings' SW_EXPORT_CONFIG_INVALID) naming the key; the caller exits with code 2.
 */
export function resolveRunSettings(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): RunSettings {
  const config = loadConfig(flags.config, env);
  const token = tokenFromEnv(env);
  const receiver = (section: Record<string, unknown> | null, flag: string | undefined, fallback: string): Record<string, unknown> | undefined => {
    if (section === null && flag === undefined) return undefined;
    const merged: Record<string, unknown> = { endpoint: fallback, ...(section ?? {}) };
    if (flag !== undefined) merged.endpoint = flag;
    if (token !== undefined && merged.bearer_token === undefined) merged.bearer_token = token;
    return merged;
  };
  const httpSection = receiver(config.receivers.otlp_http, flags.otlpHttpListen, DEFAULT_OTLP_HTTP_ENDPOINT);
  const grpcSection = receiver(config.receivers.otlp_grpc, flags.otlpGrpcListen, DEFAULT_OTLP_GRPC_ENDPOINT);
  const otlpHttp = httpSection === undefined ? undefined : resolveOtlpHttpConfig(httpSection);
  const otlpGrpc = grpcSection === undefined ? undefined : resolveOtlpGrpcConfig(grpcSection);
  const httpEndpoint = flags.httpListen ?? config.http.endpoint;
  parseEndpoint(httpEndpoint, flags.httpListen !== undefined ? '--http-listen' : 'http.endpoint');

  const stateDir = flags.stateDir ?? env.SECRETWATCH_STATE_DIR?.trim() ?? config.state.dir ?? DEFAULT_STATE_DIR;
  const rulesDir = flags.rules ?? config.rules.dir ?? defaultRulesDir();
  const rules = loadRules(rulesDir).filter((r) => !config.rules.disabled.includes(r.spec.id));
  const unknownDisabled = config.rules.disabled.filter((id) => !loadRules(rulesDir).some((r) => r.spec.id === id));
  if (unknownDisabled.length > 0) {
    throw new SecretwatchError('SW_CONFIG_INVALID', `rules.disabled: no rule with id ${unknownDisabled.map((id) => `'${id}'`).join(', ')} in ${rulesDir}`);
  }

  const exportOptions = config.exporter.otlp as OtlpExportOptions;
  const wantsOtlp =
    config.exporter.type === 'otlp' ||
    (config.exporter.type === 'auto' &&
      (exportOptions.endpoint !== undefined || ENDPOINT_VARIABLES.some((name) => (env[name]?.trim() ?? '') !== '')));
  const otlpExport = wantsOtlp ? { options: exportOptions, resolved: resolveOtlpExport(exportOptions, env) } : undefined;
  const forwardOptions = config.forward_events.otlp as OtlpExportOptions;
  const forwardEvents = config.forward_events.enabled
    ? { options: forwardOptions, resolved: resolveOtlpExport(forwardOptions, env) }
    : undefined;

  return {
    config,
    rules,
    rulesDir,
    otlpHttp,
    otlpGrpc,
    httpEndpoint,
    stateDir,
    outboxDir: config.outbox.dir ?? join(stateDir, 'outbox'),
    deadLetterFile: config.outbox.dead_letter_file ?? join(stateDir, 'dead-letter', 'alerts.jsonl'),
    deadLetterMaxBytes: config.outbox.dead_letter_max_bytes,
    degradedAfterMs: parseDuration(config.exporter.degraded_after) ?? 300_000,
    otlpExport,
    forwardEvents,
    allowedLatenessMs: parseDuration(config.detection.allowed_lateness) ?? 0,
    saveIntervalMs: parseDuration(config.state.save_interval) ?? 300_000,
    walMaxBytes: config.state.wal_max_bytes,
    shutdownTimeoutMs: parseDuration(config.shutdown_timeout) ?? 20_000,
  };
}
