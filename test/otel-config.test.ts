import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { OTLP_EXPORT_DEFAULTS } from '../src/export/otlp/export-config.js';
import { parseEndpoint } from '../src/receivers/endpoint.js';
import { DEFAULT_HTTP_ENDPOINT, DEFAULT_OTLP_GRPC_ENDPOINT, DEFAULT_OTLP_HTTP_ENDPOINT } from '../src/config/schema.js';
import { resolveRunSettings } from '../src/run/settings.js';

/**
 * Structure checks of the Collector configuration shipped at the repository root
 * (otel-config.yaml) and of the matching secretwatch configuration
 * (examples/secretwatch-sidecar.yaml). The Collector itself is not available here (no Go, no
 * Docker), so these checks are what keeps the file loadable and wired as documented.
 */

const ROOT = new URL('../', import.meta.url);
const COLLECTOR_CONFIG = new URL('otel-config.yaml', ROOT);
const SIDECAR_CONFIG = new URL('examples/secretwatch-sidecar.yaml', ROOT);

/** Where `secretwatch run` listens for OTLP/HTTP by default: the Collector must send there. */
const SECRETWATCH_OTLP_HTTP_DEFAULT = DEFAULT_OTLP_HTTP_ENDPOINT;
const SECRETWATCH_TOKEN_HEADER = 'Bearer ${env:SECRETWATCH_TOKEN}';

type Kind = 'receivers' | 'processors' | 'exporters' | 'extensions';
const PIPELINE_KINDS = ['receivers', 'processors', 'exporters'] as const;

/**
 * Component types this deployment may use, by section: contrib names as of 2026. Processors are
 * limited to ones that never touch a record's body (secretwatch needs the raw record).
 */
const ALLOWED_TYPES: Record<Kind, readonly string[]> = {
  receivers: ['otlp', 'awsfirehose', 'azure_event_hub', 'googlecloudpubsub'],
  processors: ['memory_limiter', 'batch'],
  exporters: ['otlp_http', 'debug'],
  extensions: ['awslogs_encoding', 'file_storage'],
};

/** Old names that still load with a deprecation warning: flagged so the file stays current. */
const DEPRECATED_TYPES: Record<Kind, Readonly<Record<string, string>>> = {
  receivers: { azureeventhub: 'azure_event_hub' },
  processors: {},
  exporters: { otlphttp: 'otlp_http', otlp: 'otlp_grpc' },
  extensions: {},
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** `${env:NAME}:PORT`: a host supplied at start-up (the pod IP), not checkable here. */
const ENV_HOST_ENDPOINT = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}:(\d{1,5})$/;

type Rec = Record<string, unknown>;

function rec(value: unknown): Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** `type/name` -> `type`. */
function typeOf(id: string): string {
  return id.split('/')[0] ?? id;
}

/** The comment lines before the first YAML content line. */
function headerComment(text: string): string {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) lines.push(line);
    else if (line.trim() !== '') break;
  }
  return lines.join('\n');
}

/** Every `${env:NAME}` in string values (not in comments), sorted. */
function envRefs(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(ENV_REF)) out.add(m[1] ?? '');
  else if (Array.isArray(value)) for (const v of value) envRefs(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) envRefs(v, out);
  return out;
}

function undocumentedEnvRefs(text: string, doc: unknown): string[] {
  const header = headerComment(text);
  return [...envRefs(doc)].sort().filter((name) => !new RegExp(`\\b${name}\\b`).test(header));
}

/** Host and port of a listen address; `undefined` host when it comes from an env reference. */
function listenAddress(endpoint: unknown, where: string, problems: string[]): { host: string | undefined; port: number } | undefined {
  if (typeof endpoint !== 'string') {
    problems.push(`${where}: no explicit endpoint (defaults differ between Collector versions)`);
    return undefined;
  }
  const fromEnv = ENV_HOST_ENDPOINT.exec(endpoint);
  if (fromEnv !== null) return { host: undefined, port: Number(fromEnv[1]) };
  if (endpoint.startsWith(':')) {
    problems.push(`${where}: ${endpoint} listens on every interface`);
    return undefined;
  }
  try {
    const { host, port } = parseEndpoint(endpoint, where);
    if (WILDCARD_HOSTS.has(host)) problems.push(`${where}: ${endpoint} listens on every interface`);
    return { host, port };
  } catch (err) {
    problems.push((err as Error).message);
    return undefined;
  }
}

function portOfUrl(url: string): number {
  const u = new URL(url);
  return u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
}

/** Any string anywhere that names a wildcard address (endpoints, hosts, URLs). */
function wildcardStrings(value: unknown, path: string, out: string[]): void {
  if (typeof value === 'string') {
    if (/(^|\/\/|\s)(0\.0\.0\.0|\[::\])(:|\/|$)/.test(value) || value === '::') out.push(`${path}: ${value} is a wildcard address`);
  } else if (Array.isArray(value)) value.forEach((v, i) => wildcardStrings(v, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) wildcardStrings(v, path === '' ? k : `${path}.${k}`, out);
  }
}

/**
 * Every structural problem of a Collector configuration, as messages naming the component or
 * key. An empty list means the file passes.
 */
function checkCollectorConfig(text: string): string[] {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return [`not valid YAML: ${(err as Error).message}`];
  }
  const top = rec(doc);
  const section = (kind: Kind): Rec => rec(top[kind]);
  const service = rec(top['service']);
  const pipelines = rec(service['pipelines']);
  const enabledExtensions = strings(service['extensions']);

  // Component types: allowlisted, and not a deprecated alias.
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as const) {
    for (const id of Object.keys(section(kind))) {
      const type = typeOf(id);
      const renamed = DEPRECATED_TYPES[kind][type];
      if (renamed !== undefined) problems.push(`${kind}.${id}: "${type}" is a deprecated name, use "${renamed}"`);
      else if (!ALLOWED_TYPES[kind].includes(type)) problems.push(`${kind}.${id}: type "${type}" is not in the allowlist`);
    }
  }

  // Pipelines reference defined components; defined components are used.
  if (Object.keys(pipelines).length === 0) problems.push('service.pipelines: none defined');
  const used: Record<(typeof PIPELINE_KINDS)[number], Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set() };
  for (const [name, pipeline] of Object.entries(pipelines)) {
    if (typeOf(name) !== 'logs') problems.push(`service.pipelines.${name}: only logs pipelines are expected`);
    for (const kind of PIPELINE_KINDS) {
      for (const id of strings(rec(pipeline)[kind])) {
        used[kind].add(id);
        if (!(id in section(kind))) problems.push(`service.pipelines.${name}.${kind}: "${id}" is not defined in ${kind}`);
      }
    }
    if (strings(rec(pipeline)['receivers']).length === 0) problems.push(`service.pipelines.${name}: no receivers`);
    if (strings(rec(pipeline)['exporters']).length === 0) problems.push(`service.pipelines.${name}: no exporters`);
  }
  for (const kind of PIPELINE_KINDS) {
    for (const id of Object.keys(section(kind))) {
      if (!used[kind].has(id)) problems.push(`${kind}.${id}: defined but used in no pipeline`);
    }
  }
  for (const id of Object.keys(section('extensions'))) {
    if (!enabledExtensions.includes(id)) problems.push(`extensions.${id}: defined but not listed in service.extensions`);
  }
  for (const id of enabledExtensions) {
    if (!(id in section('extensions'))) problems.push(`service.extensions: "${id}" is not defined in extensions`);
  }
  // Extensions referenced by components (encoding extensions, storage) are defined and enabled.
  const requireExtension = (id: unknown, where: string): void => {
    if (typeof id !== 'string' || !(id in section('extensions')) || !enabledExtensions.includes(id)) {
      problems.push(`${where}: "${String(id)}" is not a defined and enabled extension`);
    }
  };

  // Raw bodies: each cloud receiver delivers the provider's record unchanged.
  for (const [id, cfg] of Object.entries(section('receivers'))) {
    const c = rec(cfg);
    const where = `receivers.${id}`;
    switch (typeOf(id)) {
      case 'awsfirehose': {
        requireExtension(c['encoding'], `${where}.encoding`);
        const ext = rec(section('extensions')[String(c['encoding'])]);
        if (typeOf(String(c['encoding'])) !== 'awslogs_encoding' || ext['format'] !== 'cloudwatch' || 'cloudwatch' in ext) {
          problems.push(`${where}.encoding: must be an awslogs_encoding extension with format "cloudwatch" and no routes (raw message bodies)`);
        }
        listenAddress(c['endpoint'], `${where}.endpoint`, problems);
        break;
      }
      case 'azure_event_hub':
        if (c['format'] !== 'raw') problems.push(`${where}.format: must be "raw" (the {"records":[...]} batch as the body)`);
        if (c['storage'] !== undefined) requireExtension(c['storage'], `${where}.storage`);
        break;
      case 'googlecloudpubsub':
        if (c['encoding'] !== 'raw_text') problems.push(`${where}.encoding: must be "raw_text" (the LogEntry JSON as the body)`);
        break;
      case 'otlp': {
        const protocols = rec(c['protocols']);
        for (const proto of Object.keys(protocols)) {
          const addr = listenAddress(rec(protocols[proto])['endpoint'], `${where}.protocols.${proto}.endpoint`, problems);
          if (addr !== undefined && (addr.host === undefined || !LOOPBACK_HOSTS.has(addr.host))) {
            problems.push(`${where}.protocols.${proto}.endpoint: must be loopback (it takes secretwatch's alerts)`);
          }
        }
        break;
      }
    }
  }
  for (const [id, cfg] of Object.entries(section('exporters'))) {
    const storage = rec(rec(cfg)['sending_queue'])['storage'];
    if (storage !== undefined) requireExtension(storage, `exporters.${id}.sending_queue.storage`);
  }

  // The exporter to secretwatch: its default OTLP/HTTP address, its token, no drops on restart.
  const toSecretwatch = rec(section('exporters')['otlp_http/secretwatch']);
  if (!('otlp_http/secretwatch' in section('exporters'))) problems.push('exporters.otlp_http/secretwatch: missing');
  else {
    const endpoint = String(toSecretwatch['endpoint']);
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      problems.push(`exporters.otlp_http/secretwatch.endpoint: not a URL: ${endpoint}`);
    }
    if (url !== undefined) {
      if (url.host !== SECRETWATCH_OTLP_HTTP_DEFAULT) {
        problems.push(`exporters.otlp_http/secretwatch.endpoint: ${url.host} is not secretwatch's default OTLP/HTTP address ${SECRETWATCH_OTLP_HTTP_DEFAULT}`);
      }
      if (url.pathname !== '/' && url.pathname !== '') {
        problems.push(`exporters.otlp_http/secretwatch.endpoint: has a path (${url.pathname}); without one the exporter appends /v1/logs`);
      }
    }
    if (rec(toSecretwatch['headers'])['Authorization'] !== SECRETWATCH_TOKEN_HEADER) {
      problems.push(`exporters.otlp_http/secretwatch.headers.Authorization: must be "${SECRETWATCH_TOKEN_HEADER}"`);
    }
    if (rec(toSecretwatch['retry_on_failure'])['enabled'] !== true) problems.push('exporters.otlp_http/secretwatch.retry_on_failure.enabled: must be true');
    if (rec(toSecretwatch['sending_queue'])['enabled'] !== true) problems.push('exporters.otlp_http/secretwatch.sending_queue.enabled: must be true');
  }

  // The alerts receiver: where secretwatch exports by default (the OTLP default ports, loopback).
  const otlpProtocols = rec(rec(section('receivers')['otlp'])['protocols']);
  const expectPort = (proto: 'grpc' | 'http', url: string): void => {
    const endpoint = rec(otlpProtocols[proto])['endpoint'];
    const want = portOfUrl(url);
    if (typeof endpoint !== 'string' || ENV_HOST_ENDPOINT.test(endpoint)) {
      problems.push(`receivers.otlp.protocols.${proto}.endpoint: must be a loopback address on port ${want}`);
      return;
    }
    try {
      if (parseEndpoint(endpoint, 'x').port !== want) {
        problems.push(`receivers.otlp.protocols.${proto}.endpoint: ${endpoint} is not on secretwatch's default export port ${want}`);
      }
    } catch {
      // reported by listenAddress above
    }
  };
  expectPort('grpc', OTLP_EXPORT_DEFAULTS.grpc_url);
  expectPort('http', OTLP_EXPORT_DEFAULTS.http_url);

  // No loop: what feeds secretwatch never carries its alerts, and alerts never go back to it.
  for (const [name, pipeline] of Object.entries(pipelines)) {
    const p = rec(pipeline);
    const receiverTypes = strings(p['receivers']).map(typeOf);
    if (strings(p['exporters']).includes('otlp_http/secretwatch') && receiverTypes.includes('otlp')) {
      problems.push(`service.pipelines.${name}: sends the otlp receiver's data (secretwatch's alerts) back to secretwatch`);
    }
  }

  // Nothing listens on every interface.
  const telemetryMetrics = rec(rec(service['telemetry'])['metrics']);
  if (!Array.isArray(telemetryMetrics['readers'])) problems.push('service.telemetry.metrics.readers: set the host explicitly (older defaults listened on all interfaces)');
  wildcardStrings(doc, '', problems);

  // Every ${env:...} is documented in the header comment.
  for (const name of undocumentedEnvRefs(text, doc)) problems.push(`\${env:${name}} is not documented in the comment block at the top`);

  return problems;
}

describe('otel-config.yaml', () => {
  const text = readFileSync(COLLECTOR_CONFIG, 'utf8');
  const doc = rec(parse(text));
  const pipelines = rec(rec(doc['service'])['pipelines']);

  it('passes every structural check', () => {
    expect(checkCollectorConfig(text)).toEqual([]);
  });

  it('wires the two pipelines the sidecar deployment needs', () => {
    expect(pipelines).toEqual({
      'logs/audit': {
        receivers: ['awsfirehose', 'azure_event_hub', 'googlecloudpubsub'],
        processors: ['memory_limiter', 'batch'],
        exporters: ['otlp_http/secretwatch'],
      },
      'logs/alerts': {
        receivers: ['otlp'],
        processors: ['memory_limiter', 'batch'],
        exporters: ['otlp_http/backend', 'debug'],
      },
    });
  });

  it('sends to secretwatch on its default address with its token, retrying and queueing', () => {
    const exporter = rec(rec(doc['exporters'])['otlp_http/secretwatch']);
    expect(exporter['endpoint']).toBe(`http://${SECRETWATCH_OTLP_HTTP_DEFAULT}`);
    expect(exporter['headers']).toEqual({ Authorization: SECRETWATCH_TOKEN_HEADER });
    expect(rec(exporter['retry_on_failure'])).toMatchObject({ enabled: true, max_elapsed_time: 0 });
    expect(rec(exporter['sending_queue'])).toMatchObject({ enabled: true, block_on_overflow: true, storage: 'file_storage' });
  });

  it('takes alerts on the loopback OTLP ports secretwatch exports to by default', () => {
    expect(new URL(OTLP_EXPORT_DEFAULTS.grpc_url).port).toBe('4317');
    expect(new URL(OTLP_EXPORT_DEFAULTS.http_url).port).toBe('4318');
    expect(rec(rec(doc['receivers'])['otlp'])).toEqual({
      protocols: { grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } },
    });
  });

  it('documents exactly the variables it references', () => {
    expect([...envRefs(doc)].sort()).toEqual([
      'ALERTS_BACKEND_ENDPOINT',
      'AZURE_EVENTHUB_CONNECTION_STRING',
      'FIREHOSE_ACCESS_KEY',
      'GCP_PROJECT_ID',
      'GCP_PUBSUB_SUBSCRIPTION',
      'POD_IP',
      'SECRETWATCH_TOKEN',
    ]);
    expect(undocumentedEnvRefs(text, doc)).toEqual([]);
  });
});

describe('checkCollectorConfig on broken copies', () => {
  const original = readFileSync(COLLECTOR_CONFIG, 'utf8');
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'otel-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a copy with `from` replaced (it must occur) into the temp dir and checks that file. */
  function checkBroken(name: string, ...edits: Array<[from: string, to: string]>): string[] {
    let text = original;
    for (const [from, to] of edits) {
      expect(text.includes(from), `the edit for ${name} must match the file: ${from}`).toBe(true);
      text = text.split(from).join(to);
    }
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, text);
    return checkCollectorConfig(readFileSync(path, 'utf8'));
  }

  it('reports a pipeline that names an undefined exporter', () => {
    expect(checkBroken('undefined-exporter', ['exporters: [otlp_http/backend, debug]', 'exporters: [otlp_http/backend, debug, otlp_http/missing]'])).toEqual([
      'service.pipelines.logs/alerts.exporters: "otlp_http/missing" is not defined in exporters',
    ]);
  });

  it('reports a defined component that no pipeline uses', () => {
    expect(checkBroken('unused', ['  batch:\n', '  batch/unused:\n    timeout: 1s\n  batch:\n'])).toEqual([
      'processors.batch/unused: defined but used in no pipeline',
    ]);
  });

  it('reports types outside the allowlist and deprecated names', () => {
    expect(checkBroken('types', ['otlp_http/backend', 'otlphttp/backend'], ['  memory_limiter:\n', '  transform:\n    log_statements: []\n  memory_limiter:\n'])).toEqual([
      'processors.transform: type "transform" is not in the allowlist',
      'exporters.otlphttp/backend: "otlphttp" is a deprecated name, use "otlp_http"',
      'processors.transform: defined but used in no pipeline',
    ]);
  });

  it('reports a secretwatch exporter that misses the default address or the token', () => {
    expect(checkBroken('wrong-port', ['endpoint: http://127.0.0.1:14318', 'endpoint: http://127.0.0.1:4318/v1/logs'], ['"Bearer ${env:SECRETWATCH_TOKEN}"', '"Bearer x"'])).toEqual([
      "exporters.otlp_http/secretwatch.endpoint: 127.0.0.1:4318 is not secretwatch's default OTLP/HTTP address 127.0.0.1:14318",
      'exporters.otlp_http/secretwatch.endpoint: has a path (/v1/logs); without one the exporter appends /v1/logs',
      'exporters.otlp_http/secretwatch.headers.Authorization: must be "Bearer ${env:SECRETWATCH_TOKEN}"',
    ]);
  });

  it('reports listeners on every interface and an alerts receiver off the default port', () => {
    expect(checkBroken('wildcard', ['endpoint: 127.0.0.1:4318', 'endpoint: 0.0.0.0:4318'], ['endpoint: 127.0.0.1:4317', 'endpoint: 127.0.0.1:5317'])).toEqual([
      'receivers.otlp.protocols.http.endpoint: 0.0.0.0:4318 listens on every interface',
      "receivers.otlp.protocols.http.endpoint: must be loopback (it takes secretwatch's alerts)",
      "receivers.otlp.protocols.grpc.endpoint: 127.0.0.1:5317 is not on secretwatch's default export port 4317",
      'receivers.otlp.protocols.http.endpoint: 0.0.0.0:4318 is a wildcard address',
    ]);
    expect(checkBroken('firehose-wildcard', ['endpoint: ${env:POD_IP}:4433', 'endpoint: :4433'])).toEqual([
      'receivers.awsfirehose.endpoint: :4433 listens on every interface',
    ]);
  });

  it('reports alerts fed back into secretwatch', () => {
    expect(checkBroken('loop', ['receivers: [awsfirehose, azure_event_hub, googlecloudpubsub]', 'receivers: [awsfirehose, azure_event_hub, googlecloudpubsub, otlp]'])).toEqual([
      "service.pipelines.logs/audit: sends the otlp receiver's data (secretwatch's alerts) back to secretwatch",
    ]);
  });

  it('reports receivers configured to rewrite the raw record', () => {
    expect(checkBroken('parsed', ['format: raw', 'format: azure'], ['encoding: raw_text', 'encoding: cloud_logging'], ['format: cloudwatch\n', 'format: cloudtrail\n'])).toEqual([
      'receivers.awsfirehose.encoding: must be an awslogs_encoding extension with format "cloudwatch" and no routes (raw message bodies)',
      'receivers.azure_event_hub.format: must be "raw" (the {"records":[...]} batch as the body)',
      'receivers.googlecloudpubsub.encoding: must be "raw_text" (the LogEntry JSON as the body)',
    ]);
  });

  it('reports extensions that are referenced but not enabled', () => {
    expect(checkBroken('extensions', ['extensions: [awslogs_encoding/cloudwatch, file_storage]', 'extensions: [awslogs_encoding/cloudwatch]'])).toEqual([
      'extensions.file_storage: defined but not listed in service.extensions',
      'receivers.azure_event_hub.storage: "file_storage" is not a defined and enabled extension',
      'exporters.otlp_http/secretwatch.sending_queue.storage: "file_storage" is not a defined and enabled extension',
    ]);
  });

  it('reports an ${env:...} reference missing from the header', () => {
    expect(checkBroken('env', ['endpoint: ${env:ALERTS_BACKEND_ENDPOINT}', 'endpoint: ${env:BACKEND_URL}'])).toEqual([
      '${env:BACKEND_URL} is not documented in the comment block at the top',
    ]);
  });

  it('reports a file that is not YAML', () => {
    expect(checkBroken('not-yaml', ['service:\n', 'service: [\n'])[0]).toMatch(/^not valid YAML: /);
  });
});

describe('examples/secretwatch-sidecar.yaml matches otel-config.yaml', () => {
  const text = readFileSync(SIDECAR_CONFIG, 'utf8');
  const sidecar = rec(parse(text));
  const collector = rec(parse(readFileSync(COLLECTOR_CONFIG, 'utf8')));
  const receivers = rec(sidecar['receivers']);

  it('listens where the Collector sends, and checks the token the Collector sends', () => {
    const toSecretwatch = rec(rec(collector['exporters'])['otlp_http/secretwatch']);
    const otlpHttp = rec(receivers['otlp_http']);
    expect(otlpHttp['endpoint']).toBe(new URL(String(toSecretwatch['endpoint'])).host);
    expect(`Bearer ${String(otlpHttp['bearer_token'])}`).toBe(rec(toSecretwatch['headers'])['Authorization']);
    // The file writes the `run` defaults out; they must stay the defaults.
    expect(otlpHttp['endpoint']).toBe(DEFAULT_OTLP_HTTP_ENDPOINT);
    expect(rec(receivers['otlp_grpc'])).toEqual({ endpoint: DEFAULT_OTLP_GRPC_ENDPOINT, bearer_token: '${env:SECRETWATCH_TOKEN}' });
    expect(rec(sidecar['http'])).toEqual({ endpoint: DEFAULT_HTTP_ENDPOINT });
  });

  it('exports alerts to the Collector otlp receiver', () => {
    const httpEndpoint = String(rec(rec(rec(rec(collector['receivers'])['otlp'])['protocols'])['http'])['endpoint']);
    const exporter = rec(sidecar['exporter']);
    expect(exporter['type']).toBe('otlp');
    expect(rec(exporter['otlp'])['protocol']).toBe('http/protobuf');
    expect(new URL(String(rec(exporter['otlp'])['endpoint'])).host).toBe(httpEndpoint);
  });

  it('listens on loopback only and documents its variables', () => {
    const problems: string[] = [];
    for (const key of ['otlp_http', 'otlp_grpc'] as const) {
      const addr = listenAddress(rec(receivers[key])['endpoint'], `receivers.${key}.endpoint`, problems);
      expect(addr?.host !== undefined && LOOPBACK_HOSTS.has(addr.host), key).toBe(true);
    }
    wildcardStrings(sidecar, '', problems);
    expect(problems).toEqual([]);
    expect([...envRefs(sidecar)]).toEqual(['SECRETWATCH_TOKEN']);
    expect(undocumentedEnvRefs(text, sidecar)).toEqual([]);
  });

  it('is what `secretwatch run --config` resolves, with the token from the environment', () => {
    // Only the variable the file references: no OTEL_EXPORTER_OTLP_* from the machine running the test.
    const settings = resolveRunSettings({ config: fileURLToPath(SIDECAR_CONFIG) }, { SECRETWATCH_TOKEN: 'test-token' });
    expect(settings.otlpHttp).toMatchObject({ endpoint: '127.0.0.1:14318', bearer_token: 'test-token' });
    expect(settings.otlpGrpc).toMatchObject({ endpoint: '127.0.0.1:14317', bearer_token: 'test-token' });
    expect(settings.httpEndpoint).toBe('127.0.0.1:14320');
    expect(settings.otlpExport?.resolved).toMatchObject({ protocol: 'http/protobuf', url: 'http://127.0.0.1:4318/v1/logs', timeout_millis: 10_000 });
    expect(settings.stateDir).toBe('/var/lib/secretwatch/state');
    expect(settings.outboxDir).toBe('/var/lib/secretwatch/state/outbox');
    expect(settings.allowedLatenessMs).toBe(15 * 60_000);
    expect(settings.saveIntervalMs).toBe(5 * 60_000);
  });

  it('fails to start when the token variable is unset', () => {
    expect(() => resolveRunSettings({ config: fileURLToPath(SIDECAR_CONFIG) }, {})).toThrow(/receivers\.otlp_http\.bearer_token: environment variable SECRETWATCH_TOKEN is not set/);
  });
});
