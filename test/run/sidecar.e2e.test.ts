import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { Metadata } from '@grpc/grpc-js';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { OtlpTestReceiver } from '../support/otlp-receiver.js';
import { getSecretValue } from '../support/records.js';
import { startSidecar, type SidecarProcess } from './sidecar-process.js';

/**
 * End to end, as deployed: `secretwatch run` as a child process; CloudTrail, GCP and Azure
 * records sent to it by the real OpenTelemetry exporters (as a Collector would); its alerts
 * received by a local OTLP receiver that decodes protobuf.
 */
const NOW = Date.now();
const iso = (offsetMs: number): string => new Date(NOW - 5 * 60_000 + offsetMs).toISOString();
const ROLE = 'arn:aws:iam::123456789012:role/ci-deploy';
const IP = '203.0.113.9';

function cloudTrailRead(i: number): string {
  return JSON.stringify(
    getSecretValue({
      eventTime: iso(i * 1000).replace(/\.\d{3}Z$/, 'Z'),
      eventID: `e2e-${i}`,
      sourceIPAddress: IP,
      requestParameters: { secretId: `prod/app/secret-${i}` },
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::123456789012:assumed-role/ci-deploy/run-1',
        accountId: '123456789012',
        sessionContext: { sessionIssuer: { type: 'Role', arn: ROLE, accountId: '123456789012', userName: 'ci-deploy' } },
      },
    }),
  );
}

const azureBatch = JSON.stringify({
  records: [
    {
      time: iso(20_000),
      resourceId: '/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/PAYMENTS',
      operationName: 'SecretGet',
      category: 'AuditEvent',
      resultType: 'Success',
      callerIpAddress: IP,
      correlationId: 'c0ffee00-0000-4000-8000-000000000001',
      identity: { claim: { appid: '0a1b2c3d-0000-4000-8000-00000000abcd' } },
      properties: { id: 'https://payments.vault.azure.net/secrets/db-password/0123456789abcdef', httpStatusCode: 200, clientInfo: 'azsdk-python-keyvault-secrets/4.8.0' },
    },
  ],
});

const gcpEntry = {
  insertId: 'e2e-gcp-1',
  logName: 'projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access',
  timestamp: iso(25_000),
  resource: { type: 'audited_resource', labels: { project_id: 'acme-prod', service: 'secretmanager.googleapis.com' } },
  protoPayload: {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    serviceName: 'secretmanager.googleapis.com',
    methodName: 'google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',
    resourceName: 'projects/acme-prod/secrets/api-key/versions/latest',
    authenticationInfo: { principalEmail: 'batch@acme-prod.iam.gserviceaccount.com' },
    requestMetadata: { callerIp: '198.51.100.77', callerSuppliedUserAgent: 'stratus-red-team_1234 grpc-go/1.70.0,gzip(gfe)' },
  },
};

async function send(exporter: LogRecordExporter, bodies: unknown[]): Promise<void> {
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('collector');
  for (const body of bodies) logger.emit({ body: body as string });
  await provider.forceFlush();
  await provider.shutdown();
}

async function http(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}

describe('secretwatch run (end to end)', () => {
  let backend: OtlpTestReceiver;
  let sidecar: SidecarProcess;
  const stateDir = mkdtempSync(join(tmpdir(), 'sw-e2e-'));

  beforeAll(async () => {
    backend = await OtlpTestReceiver.start();
    sidecar = await startSidecar(['--state-dir', stateDir], {
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: backend.httpUrl,
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
      SECRETWATCH_TOKEN: 's3cret',
    });
  });

  afterAll(async () => {
    if (sidecar.proc.exitCode === null) sidecar.proc.kill('SIGKILL');
    await backend.stop();
  });

  it('is ready and healthy', async () => {
    expect(await http(sidecar.httpPort, '/healthz')).toEqual({ status: 200, text: 'ok\n' });
    expect(await http(sidecar.httpPort, '/readyz')).toEqual({ status: 200, text: 'ready\n' });
  });

  it('scores records from the proto, JSON and gRPC exporters and sends the alerts as OTLP logs', async () => {
    const headers = { Authorization: 'Bearer s3cret' };
    const url = `http://127.0.0.1:${sidecar.otlpHttpPort}/v1/logs`;
    await send(new ProtoExporter({ url, headers }), [0, 1, 2, 3, 4, 5].map(cloudTrailRead));
    await send(new JsonExporter({ url, headers }), [6, 7, 8, 9, 10].map(cloudTrailRead));
    const metadata = new Metadata();
    metadata.set('authorization', 'Bearer s3cret');
    await send(new GrpcExporter({ url: `http://127.0.0.1:${sidecar.otlpGrpcPort}`, metadata }), [azureBatch, JSON.stringify(gcpEntry)]);

    await backend.waitFor(() => backend.logs.length >= 3, 20_000, 'three alerts');
    const byRule = new Map(backend.logs.map((l) => [String(l.attributes['security_rule.name']), l]));
    expect([...byRule.keys()].sort()).toEqual(['attack_tool_user_agent', 'cross_cloud_secret_access', 'secret_access_spike']);

    const spike = byRule.get('secret_access_spike');
    expect(spike?.record.eventName).toBe('secretwatch.alert');
    expect(spike?.record.severityNumber).toBe(17);
    expect(spike?.resource['service.name']).toBe('secretwatch');
    expect(spike?.attributes).toMatchObject({
      'security_rule.uuid': 'cc3b48f6-a92a-4caf-9233-3b9c454075a5',
      'security_rule.ruleset.name': 'secretwatch',
      'cloud.provider': 'aws',
      'cloud.account.id': '123456789012',
      'user.id': ROLE,
      'client.address': IP,
      'secretwatch.distinct_secrets': 11,
    });
    expect(String(spike?.body)).toContain(ROLE);
    expect(byRule.get('cross_cloud_secret_access')?.attributes['client.address']).toBe(IP);
    expect(byRule.get('attack_tool_user_agent')?.attributes['user.id']).toBe('batch@acme-prod.iam.gserviceaccount.com');

    const metrics = await http(sidecar.httpPort, '/metrics');
    expect(metrics.text).toMatch(/secretwatch_alerts_total\{rule="secret_access_spike"\} 1/);
    expect(metrics.text).toMatch(/secretwatch_events_normalized_total\{receiver="otlp-http"\} 11/);
    expect(metrics.text).toMatch(/secretwatch_events_normalized_total\{receiver="otlp-grpc"\} 2/);
    expect(metrics.text).toMatch(/secretwatch_events_received_total\{receiver="otlp-http",provider="aws"\} 11/);
    expect(metrics.text).toMatch(/secretwatch_events_received_total\{receiver="otlp-grpc",provider="azure"\} 1/);
    expect(metrics.text).toMatch(/secretwatch_events_received_total\{receiver="otlp-grpc",provider="gcp"\} 1/);
    expect(metrics.text).toMatch(/secretwatch_event_lag_seconds \d/);
  });

  it('refuses requests without the bearer token', async () => {
    const res = await fetch(`http://127.0.0.1:${sidecar.otlpHttpPort}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceLogs":[]}',
    });
    expect(res.status).toBe(401);
  });

  it('stops on SIGTERM with exit code 0, promptly, and saves its state', async () => {
    const started = Date.now();
    sidecar.proc.kill('SIGTERM');
    expect(await sidecar.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(join(stateDir, 'detector.state'))).toBe(true);
    expect(sidecar.logs.some((l) => l.msg === 'stopped')).toBe(true);
  });
});

describe('secretwatch run: alerts survive a backend outage, restarts and kill -9', () => {
  it('delivers every alert id after the backend comes back and the sidecar restarted', async () => {
    const backend = await OtlpTestReceiver.start();
    const stateDir = mkdtempSync(join(tmpdir(), 'sw-outbox-'));
    const env = { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: backend.httpUrl, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf' };
    await backend.stop(); // the backend is down while alerts fire
    let sidecar = await startSidecar(['--state-dir', stateDir], env);
    const url = `http://127.0.0.1:${sidecar.otlpHttpPort}/v1/logs`;
    // Three principals, each crossing the distinct-secret line: three alerts.
    const bodies: string[] = [];
    for (const who of ['a', 'b', 'c']) {
      for (let i = 0; i < 11; i++) {
        const record = JSON.parse(cloudTrailRead(i)) as Record<string, unknown>;
        record.eventID = `${who}-${i}`;
        (record.userIdentity as Record<string, unknown>).sessionContext = {
          sessionIssuer: { type: 'Role', arn: `arn:aws:iam::123456789012:role/app-${who}`, accountId: '123456789012' },
        };
        bodies.push(JSON.stringify(record));
      }
    }
    await send(new ProtoExporter({ url }), bodies.slice(0, 22));
    // Accepted requests mean durable alerts: kill -9 now loses nothing.
    sidecar.proc.kill('SIGKILL');
    await sidecar.exited;
    sidecar = await startSidecar(['--state-dir', stateDir], env);
    await send(new ProtoExporter({ url: `http://127.0.0.1:${sidecar.otlpHttpPort}/v1/logs` }), bodies.slice(22));
    sidecar.proc.kill('SIGTERM');
    expect(await sidecar.exited).toBe(0);
    expect(backend.logs).toHaveLength(0);

    await backend.restart();
    sidecar = await startSidecar(['--state-dir', stateDir], env);
    await backend.waitFor(() => backend.logs.length >= 3, 30_000, 'three alerts after the restart');
    const users = backend.logs.map((l) => String(l.attributes['user.id'])).sort();
    expect(users).toEqual(['a', 'b', 'c'].map((w) => `arn:aws:iam::123456789012:role/app-${w}`));
    expect(new Set(backend.logs.map((l) => l.attributes['secretwatch.alert.id'])).size).toBe(3);
    sidecar.proc.kill('SIGTERM');
    expect(await sidecar.exited).toBe(0);
    await backend.stop();
  }, 90_000);
});

describe('secretwatch run: configuration errors', () => {
  it.each([
    [['--otlp-http-listen', 'nowhere'], /receivers\.otlp_http\.endpoint must be "host:port"/],
    [['--config', '/nonexistent/secretwatch.yaml'], /cannot read config file \/nonexistent\/secretwatch\.yaml/],
    [['--rules', '/nonexistent/rules'], /\/nonexistent\/rules/],
  ])('%j exits 2 with a message naming the problem', async (args, message) => {
    const res = await runCli(['run', ...args]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect((await runCli(['validate', ...args])).code).toBe(2);
  });

  it('rejects unknown keys, naming them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-config-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'detection:\n  allowed_lateness: 15\nreceiver: {}\n');
    const res = await runCli(['validate', '--config', path]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('receiver: unknown key; allowed keys here are detection, rules, state, receivers,');
    expect(res.stderr).toContain('detection.allowed_lateness: must be a string, not the number 15');
  });
});
