import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/export/outbox/outbox.js';
import { makeAlerts } from '../support/alerts.js';
import { OtlpTestReceiver } from '../support/otlp-receiver.js';
import { runCli } from '../support/cli.js';
import { getSecretValue } from '../support/records.js';
import { startSidecar, type SidecarProcess } from './sidecar-process.js';

/**
 * `secretwatch run` as a child process against a local OTLP backend the test controls: a backend
 * that refuses an alert for good (400, 413) no longer blocks the outbox, a record built to make a
 * huge alert makes a bounded one, and every delivery problem is logged and shows in /readyz.
 */
const OTHER_RULES = [
  'after_hours_secret_read',
  'batch_secret_catch_all_filter',
  'cross_cloud_secret_access',
  'secret_access_new_source',
  'secret_access_spike',
  'secret_enumeration',
  'ssm_decrypt_new_accessor',
];

const running: SidecarProcess[] = [];
const backends: OtlpTestReceiver[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
  for (const b of backends.splice(0)) await b.stop();
});

/** A temp state folder and a config that keeps only attack_tool_user_agent (one alert per principal). */
function setup(extraYaml: string, backendUrl: string): { stateDir: string; config: string } {
  const stateDir = mkdtempSync(join(tmpdir(), 'sw-faults-'));
  const config = join(stateDir, 'secretwatch.yaml');
  writeFileSync(
    config,
    [
      `state: { dir: ${JSON.stringify(stateDir)} }`,
      `rules: { disabled: [${OTHER_RULES.join(', ')}] }`,
      'receivers: { otlp_grpc: null }',
      'exporter:',
      '  type: otlp',
      `  otlp: { protocol: http/protobuf, endpoint: ${JSON.stringify(backendUrl)}, timeout_millis: 2000 }`,
      '  retry: { initial_backoff_millis: 100, max_backoff_millis: 400 }',
      extraYaml,
    ].join('\n'),
  );
  return { stateDir, config };
}

async function start(config: string): Promise<SidecarProcess> {
  const sidecar = await startSidecar(['--config', config, '--otlp-grpc-listen', '127.0.0.1:0'], {});
  running.push(sidecar);
  return sidecar;
}

/** A CloudTrail secret read by an attack tool: one attack_tool_user_agent alert per principal. */
function toolRead(principal: string, i: number, userAgent = 'stratus-red-team_8fd6e2 aws-sdk-go/1.44'): string {
  return JSON.stringify(
    getSecretValue({
      eventTime: new Date(Date.now() - 60_000 + i).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventID: `fault-${principal}-${i}`,
      userAgent,
      userIdentity: { type: 'IAMUser', principalId: `AIDA${i}`, arn: `arn:aws:iam::123456789012:user/${principal}`, accountId: '123456789012', userName: principal },
    }),
  );
}

/** One OTLP/JSON request with the records as string bodies; the HTTP status. */
async function post(sidecar: SidecarProcess, records: string[]): Promise<number> {
  const body = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records.map((r) => ({ body: { stringValue: r } })) }] }] });
  const res = await fetch(`http://127.0.0.1:${sidecar.otlpHttpPort}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.arrayBuffer();
  return res.status;
}

async function get(sidecar: SidecarProcess, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${sidecar.httpPort}${path}`);
  return { status: res.status, text: await res.text() };
}

async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const userOf = (l: { attributes: Record<string, unknown> }): string => String(l.attributes['user.id']);
const problem = (sidecar: SidecarProcess, name: string): Record<string, unknown> | undefined => sidecar.logs.find((l) => l.problem === name);

describe('secretwatch run: a backend that refuses an alert for good', () => {
  it('dead-letters the alert answered 400, with its reason, logs and counts it, and delivers the alerts after it', async () => {
    const backend = await OtlpTestReceiver.start();
    backends.push(backend);
    backend.answer = (logs) => (logs.some((l) => userOf(l).endsWith('/mallory')) ? 400 : undefined);
    const { stateDir, config } = setup('', backend.httpUrl);
    const sidecar = await start(config);

    const principals = ['p0', 'p1', 'mallory', 'p3', 'p4'];
    expect(await post(sidecar, principals.map((p, i) => toolRead(p, i)))).toBe(200);
    await backend.waitFor(() => backend.logs.length === 4, 20_000, 'the four other alerts');
    expect(backend.logs.map(userOf)).toEqual(['p0', 'p1', 'p3', 'p4'].map((p) => `arn:aws:iam::123456789012:user/${p}`));

    const file = join(stateDir, 'dead-letter', 'alerts.jsonl');
    await waitFor(() => existsSync(file), 'the dead-letter file');
    const dead = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ reason: 'http_400', sink: 'otlp http/protobuf' });
    expect(String(dead[0]!.detail)).toContain('refused with 400');
    const alert = dead[0]!.alert as { attributes: Record<string, unknown> };
    expect(alert.attributes['user.id']).toBe('arn:aws:iam::123456789012:user/mallory');
    expect(alert.attributes['security_rule.name']).toBe('attack_tool_user_agent');

    const logged = problem(sidecar, 'alert_dead_lettered');
    expect(logged).toMatchObject({ level: 50, reason: 'http_400', alert_id: alert.attributes['secretwatch.alert.id'], dead_letter_file: file });
    const metrics = (await get(sidecar, '/metrics')).text;
    expect(metrics).toMatch(/^secretwatch_alerts_dead_lettered_total\{reason="http_400"\} 1$/m);
    expect(metrics).toMatch(/^secretwatch_outbox_alerts 0$/m);
    expect(await get(sidecar, '/readyz')).toEqual({ status: 200, text: 'ready\n' });

    // Once the backend takes it, `requeue` puts it back into the outbox (the sidecar stopped first).
    const locked = await runCli(['requeue', '--config', config]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('SW_OUTBOX_LOCKED');
    sidecar.proc.kill('SIGTERM');
    expect(await sidecar.exited).toBe(0);
    backend.answer = undefined;
    const requeued = await runCli(['requeue', '--config', config]);
    expect(requeued.code).toBe(0);
    expect(requeued.stderr).toMatch(/requeue: 1 alert\(s\) from .*alerts\.jsonl are back in the outbox/);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(stateDir, 'dead-letter')).filter((n) => n.startsWith('alerts.jsonl.requeued-'))).toHaveLength(1);
    await start(config);
    await backend.waitFor(() => backend.logs.length === 5, 20_000, 'the requeued alert');
    expect(backend.logs[4]!.attributes['secretwatch.alert.id']).toBe(alert.attributes['secretwatch.alert.id']);
  }, 60_000);

  it('turns a 6 MiB user agent into a bounded, flagged alert that a backend with a 256 KiB request limit accepts', async () => {
    const backend = await OtlpTestReceiver.start({ max_request_bytes: 256 * 1024 });
    backends.push(backend);
    const { stateDir, config } = setup('', backend.httpUrl);
    const sidecar = await start(config);

    const huge = `stratus-red-team_8fd6e2 ${'A'.repeat(6 * 1024 * 1024)}`;
    expect(await post(sidecar, [toolRead('bigua', 0, huge), toolRead('after', 1)])).toBe(200);
    await backend.waitFor(() => backend.logs.length === 2, 20_000, 'both alerts');
    const [big, after] = backend.logs;
    expect(userOf(big!)).toBe('arn:aws:iam::123456789012:user/bigua');
    expect(userOf(after!)).toBe('arn:aws:iam::123456789012:user/after');
    const ua = String(big!.attributes['user_agent.original']);
    expect(Buffer.byteLength(ua)).toBeLessThanOrEqual(1024);
    expect(ua.startsWith('stratus-red-team_8fd6e2 AAAA')).toBe(true);
    expect(big!.attributes['secretwatch.alert.truncated']).toBe(true);
    expect(big!.attributes['secretwatch.alert.truncated_attributes']).toEqual(['user_agent.original']);
    expect(after!.attributes['secretwatch.alert.truncated']).toBeUndefined();
    expect(backend.requests.every((r) => r.outcome === 'accepted' && r.bytes < 64 * 1024)).toBe(true);
    expect(existsSync(join(stateDir, 'dead-letter', 'alerts.jsonl'))).toBe(false);
  }, 60_000);
});

describe('secretwatch run: delivery problems are logged and shown', () => {
  it('logs failed exports with the retry delay and a full outbox, says degraded on /readyz after exporter.degraded_after, and recovers', async () => {
    const backend = await OtlpTestReceiver.start();
    backends.push(backend);
    backend.mode = 'unavailable';
    const { config } = setup('  degraded_after: 2s\noutbox: { max_alerts: 2 }', backend.httpUrl);
    const sidecar = await start(config);

    expect(await post(sidecar, [toolRead('d0', 0), toolRead('d1', 1)])).toBe(200);
    await waitFor(() => problem(sidecar, 'alert_export_failed') !== undefined, 'the export failure line');
    const failed = problem(sidecar, 'alert_export_failed')!;
    expect(failed).toMatchObject({ level: 40, sink: 'otlp http/protobuf' });
    expect(failed.retry_in_ms).toEqual(expect.any(Number));
    expect(failed.retry_in_ms as number).toBeGreaterThan(0);
    expect(String(failed.err)).not.toBe('');
    // Only one line however many retries (rate-limited per problem).
    await new Promise((r) => setTimeout(r, 1000));
    expect(sidecar.logs.filter((l) => l.problem === 'alert_export_failed')).toHaveLength(1);

    // The outbox holds its two alerts: the next request is refused, and said so.
    expect(await post(sidecar, [toolRead('d2', 2)])).toBe(429);
    await waitFor(() => problem(sidecar, 'outbox_full') !== undefined, 'the outbox full line');
    expect(problem(sidecar, 'outbox_full')).toMatchObject({ level: 40, outbox_alerts: 2 });

    await waitFor(async () => (await get(sidecar, '/readyz')).text.includes('degraded'), '/readyz to say degraded', 10_000);
    const ready = await get(sidecar, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.text).toMatch(/degraded: alert export failing for \d+s \(\d+ attempts; last error: .+\)/);
    expect((await get(sidecar, '/metrics')).text).toMatch(/^secretwatch_alert_export_failing_seconds [1-9]/m);

    backend.mode = 'ok';
    await backend.waitFor(() => backend.logs.length === 2, 20_000, 'the two alerts');
    await waitFor(async () => (await get(sidecar, '/readyz')).status === 200, '/readyz to be ready again');
  }, 60_000);

  it('logs damaged outbox lines and a cursor ahead of the outbox found at start', async () => {
    const backend = await OtlpTestReceiver.start();
    backends.push(backend);
    const { stateDir, config } = setup('', backend.httpUrl);
    const outboxDir = join(stateDir, 'outbox');
    mkdirSync(outboxDir, { recursive: true });
    const outbox = await Outbox.open({ dir: outboxDir });
    await outbox.append(makeAlerts(0, 3));
    await outbox.close();
    const segment = join(outboxDir, readdirSync(outboxDir).find((n) => n.startsWith('seg-'))!);
    const lines = readFileSync(segment, 'utf8').split('\n');
    lines[1] = '{"seq":1,"at":1,"alert":"edited"}';
    writeFileSync(segment, lines.join('\n'));
    writeFileSync(join(outboxDir, 'acked.json'), '{"acked_through":40}\n');

    const sidecar = await start(config);
    // Logged before the ready line, so already read.
    expect(sidecar.logs.find((l) => String(l.msg).startsWith('outbox: damaged lines'))).toMatchObject({ level: 50, lines: 1, dir: outboxDir });
    expect(sidecar.logs.find((l) => String(l.msg).startsWith('outbox: the acknowledgement cursor is past'))).toMatchObject({ level: 50, ahead_by: 38 });
    expect((await get(sidecar, '/metrics')).text).toMatch(/^secretwatch_outbox_cursor_ahead 38$/m);
  }, 60_000);
});
