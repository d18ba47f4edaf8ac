import { SecretwatchError } from '../../errors/codes.js';

/**
 * Where and how OTLP logs are sent: explicit options first, then the standard OpenTelemetry
 * environment variables, then the OTLP defaults, per setting:
 *
 * | setting     | option           | then                                   | then                          | default |
 * |-------------|------------------|----------------------------------------|-------------------------------|---------|
 * | protocol    | `protocol`       | OTEL_EXPORTER_OTLP_LOGS_PROTOCOL       | OTEL_EXPORTER_OTLP_PROTOCOL   | http/protobuf |
 * | endpoint    | `endpoint` (1)   | OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as is | OTEL_EXPORTER_OTLP_ENDPOINT (2) | http://localhost:4318/v1/logs, grpc http://localhost:4317 |
 * | headers     | `headers`        | OTEL_EXPORTER_OTLP_LOGS_HEADERS        | OTEL_EXPORTER_OTLP_HEADERS    | none (merged key by key, in this order of precedence) |
 * | timeout     | `timeout_millis` | OTEL_EXPORTER_OTLP_LOGS_TIMEOUT        | OTEL_EXPORTER_OTLP_TIMEOUT    | 10000 ms |
 * | compression | `compression`    | OTEL_EXPORTER_OTLP_LOGS_COMPRESSION    | OTEL_EXPORTER_OTLP_COMPRESSION | none |
 *
 * (1) For http protocols a URL with no path (`http://collector:4318`) gets `/v1/logs`, as the
 *     Collector's own `endpoint` setting does; a URL with a path is used as is.
 * (2) For http protocols `v1/logs` is appended to the general endpoint (`http://c:4318/base` ->
 *     `http://c:4318/base/v1/logs`), as the OTLP exporter specification says; for grpc it is used as is.
 *
 * An empty variable counts as unset. A value that is set but not valid fails at start-up with
 * `SW_EXPORT_CONFIG_INVALID` naming the option or variable, instead of silently falling back.
 * TLS material (OTEL_EXPORTER_OTLP_*CERTIFICATE*, OTEL_EXPORTER_OTLP_INSECURE) is left to the
 * exporters, which read it themselves.
 */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export type OtlpCompression = 'none' | 'gzip';

export interface OtlpExportOptions {
  protocol?: OtlpProtocol;
  endpoint?: string;
  headers?: Record<string, string>;
  timeout_millis?: number;
  compression?: OtlpCompression;
}

export type Env = Readonly<Record<string, string | undefined>>;

export interface ResolvedOtlpExport {
  protocol: OtlpProtocol;
  /** The full URL: the logs path for http, `http(s)://host:port` for grpc. */
  url: string;
  headers: Record<string, string>;
  timeout_millis: number;
  compression: OtlpCompression;
  /** Where each setting came from (`option`, a variable name, or `default`), for the start-up message. */
  sources: { protocol: string; url: string; timeout_millis: string; compression: string };
}

export const OTLP_EXPORT_DEFAULTS = {
  protocol: 'http/protobuf',
  http_url: 'http://localhost:4318/v1/logs',
  grpc_url: 'http://localhost:4317',
  timeout_millis: 10_000,
  compression: 'none',
} as const;

const LOGS_PATH = 'v1/logs';

function invalid(where: string, message: string): SecretwatchError {
  return new SecretwatchError('SW_EXPORT_CONFIG_INVALID', `${where} ${message}`);
}

/** The first set (non-blank) variable among `names`, with its name. */
function fromEnv(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

function checkUrl(where: string, url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(where, `must be a URL such as http://collector:4318 (got '${url}')`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(where, `must start with http:// or https:// (got '${url}')`);
  }
  return parsed;
}

function appendLogsPath(base: string): string {
  return base.endsWith('/') ? base + LOGS_PATH : `${base}/${LOGS_PATH}`;
}

function resolveProtocol(options: OtlpExportOptions, env: Env): { value: OtlpProtocol; source: string } {
  if (options.protocol !== undefined) {
    if (!OTLP_PROTOCOLS.includes(options.protocol)) throw invalid('protocol', `must be one of ${OTLP_PROTOCOLS.join(', ')} (got '${String(options.protocol)}')`);
    return { value: options.protocol, source: 'option' };
  }
  const set = fromEnv(env, 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (set === undefined) return { value: OTLP_EXPORT_DEFAULTS.protocol, source: 'default' };
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(set.value)) {
    throw invalid(set.name, `must be one of ${OTLP_PROTOCOLS.join(', ')} (got '${set.value}')`);
  }
  return { value: set.value as OtlpProtocol, source: set.name };
}

function resolveUrl(protocol: OtlpProtocol, options: OtlpExportOptions, env: Env): { value: string; source: string } {
  const http = protocol !== 'grpc';
  if (options.endpoint !== undefined) {
    const parsed = checkUrl('endpoint', options.endpoint);
    const value = http && (parsed.pathname === '/' || parsed.pathname === '') ? appendLogsPath(options.endpoint) : options.endpoint;
    return { value, source: 'option' };
  }
  const specific = fromEnv(env, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  if (specific !== undefined) {
    checkUrl(specific.name, specific.value);
    return { value: specific.value, source: specific.name };
  }
  const general = fromEnv(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (general !== undefined) {
    checkUrl(general.name, general.value);
    return { value: http ? appendLogsPath(general.value) : general.value, source: general.name };
  }
  return { value: http ? OTLP_EXPORT_DEFAULTS.http_url : OTLP_EXPORT_DEFAULTS.grpc_url, source: 'default' };
}

/** `key1=value1,key2=value2` with percent-encoded keys and values (the OTLP exporter header format). */
export function parseHeaderList(where: string, text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (key === '') throw invalid(where, `must be a list of key=value pairs separated by commas (bad entry '${item.trim()}')`);
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      throw invalid(where, `has a malformed percent-encoding in '${item.trim()}'`);
    }
  }
  return out;
}

function resolveHeaders(options: OtlpExportOptions, env: Env): Record<string, string> {
  const general = fromEnv(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  const specific = fromEnv(env, 'OTEL_EXPORTER_OTLP_LOGS_HEADERS');
  return {
    ...(general === undefined ? {} : parseHeaderList(general.name, general.value)),
    ...(specific === undefined ? {} : parseHeaderList(specific.name, specific.value)),
    ...options.headers,
  };
}

function resolveTimeout(options: OtlpExportOptions, env: Env): { value: number; source: string } {
  if (options.timeout_millis !== undefined) {
    if (!Number.isFinite(options.timeout_millis) || options.timeout_millis <= 0) {
      throw invalid('timeout_millis', `must be a number of milliseconds above 0 (got ${String(options.timeout_millis)})`);
    }
    return { value: options.timeout_millis, source: 'option' };
  }
  const set = fromEnv(env, 'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT');
  if (set === undefined) return { value: OTLP_EXPORT_DEFAULTS.timeout_millis, source: 'default' };
  const n = Number(set.value);
  if (!/^\d+$/.test(set.value) || n <= 0) throw invalid(set.name, `must be a whole number of milliseconds above 0 (got '${set.value}')`);
  return { value: n, source: set.name };
}

function resolveCompression(options: OtlpExportOptions, env: Env): { value: OtlpCompression; source: string } {
  if (options.compression !== undefined) {
    if (options.compression !== 'none' && options.compression !== 'gzip') {
      throw invalid('compression', `must be none or gzip (got '${String(options.compression)}')`);
    }
    return { value: options.compression, source: 'option' };
  }
  const set = fromEnv(env, 'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION');
  if (set === undefined) return { value: OTLP_EXPORT_DEFAULTS.compression, source: 'default' };
  if (set.value !== 'none' && set.value !== 'gzip') throw invalid(set.name, `must be none or gzip (got '${set.value}')`);
  return { value: set.value, source: set.name };
}

export function resolveOtlpExport(options: OtlpExportOptions = {}, env: Env = process.env): ResolvedOtlpExport {
  const protocol = resolveProtocol(options, env);
  const url = resolveUrl(protocol.value, options, env);
  const timeout = resolveTimeout(options, env);
  const compression = resolveCompression(options, env);
  return {
    protocol: protocol.value,
    url: url.value,
    headers: resolveHeaders(options, env),
    timeout_millis: timeout.value,
    compression: compression.value,
    sources: { protocol: protocol.source, url: url.source, timeout_millis: timeout.source, compression: compression.source },
  };
}
