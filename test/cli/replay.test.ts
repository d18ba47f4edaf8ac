import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../detectors/alerts/alert.js';
import { repoRoot, runCli } from '../support/cli.js';
import { EXPECTED_DEMO_ALERTS, alertKey } from '../scenario/demo-expected.js';

const demo = join(repoRoot, 'fixtures', 'demo');

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpLogRecord {
  timeUnixNano: unknown;
  severityNumber: unknown;
  body: { stringValue?: unknown };
  attributes: OtlpAttribute[];
}

interface OtlpRequest {
  resourceLogs: { resource: { attributes: OtlpAttribute[] }; scopeLogs: { scope: { name: string }; logRecords: OtlpLogRecord[] }[] }[];
}

function stringAttribute(record: OtlpLogRecord, key: string): unknown {
  return record.attributes.find((a) => a.key === key)?.value.stringValue;
}

// Each run replays three days of records through every rule in a fresh process (a few seconds);
// the state test runs two. Room to spare when the machine is busy with other test files.
describe('secretwatch replay', { timeout: 60_000 }, () => {
  it('prints the demo alerts as JSON lines and a summary on stderr', async () => {
    const res = await runCli(['replay', demo, '--format', 'jsonl']);
    expect(res.code).toBe(0);
    const alerts = lines(res.stdout).map((l) => JSON.parse(l) as Alert);
    expect(alerts.map(alertKey).sort()).toEqual(EXPECTED_DEMO_ALERTS.map((a) => a.join(' ')).sort());
    for (const alert of alerts) {
      expect(alert.severity_number).toBeGreaterThan(0);
      expect(alert.body).toContain(String(alert.attributes['user.id']));
    }
    expect(res.stderr).toContain(`alerts:        ${EXPECTED_DEMO_ALERTS.length} (`);
    expect(res.stderr).toMatch(/^replay: \d+ inputs, \d+ records/m);
    expect(res.stderr).toMatch(/event time: +2026-11-02T00:\d\d:\d\d\.\d{3}Z \.\. 2026-11-04T23:\d\d:\d\d\.\d{3}Z/);
  });

  it('prints OTLP/JSON ExportLogsServiceRequests with --format otlp-json', async () => {
    const res = await runCli(['replay', demo, '--format', 'otlp-json']);
    expect(res.code).toBe(0);
    const requests = lines(res.stdout).map((l) => JSON.parse(l) as OtlpRequest);
    expect(requests.length).toBeGreaterThan(0);
    const records: OtlpLogRecord[] = [];
    for (const request of requests) {
      expect(request.resourceLogs).toHaveLength(1);
      const resourceLogs = request.resourceLogs[0]!;
      expect(resourceLogs.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'secretwatch' } });
      expect(resourceLogs.scopeLogs[0]?.scope.name).toBe('secretwatch');
      records.push(...(resourceLogs.scopeLogs[0]?.logRecords ?? []));
    }
    expect(records).toHaveLength(EXPECTED_DEMO_ALERTS.length);
    for (const record of records) {
      // 64-bit integers are strings in OTLP/JSON.
      expect(record.timeUnixNano).toMatch(/^\d{19}$/);
      expect([9, 13, 17, 21]).toContain(record.severityNumber);
      expect(typeof record.body.stringValue).toBe('string');
      expect(stringAttribute(record, 'security_rule.name')).toMatch(/^[a-z_]+$/);
    }
    const first = records.find((r) => stringAttribute(r, 'security_rule.name') === 'attack_tool_user_agent');
    expect(first?.timeUnixNano).toBe(`${Date.parse('2026-11-03T11:30:12.000Z')}000000`);
    expect(new Set(records.map((r) => stringAttribute(r, 'security_rule.name')))).toEqual(new Set(EXPECTED_DEMO_ALERTS.map((a) => a[0])));
  });

  it('replays the bundled demo when run without arguments, then says what to do next', async () => {
    const res = await runCli([]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('replaying the bundled demo');
    expect(res.stderr).toContain(`alerts:        ${EXPECTED_DEMO_ALERTS.length} (`);
    expect(res.stderr).toContain('Next steps:');
    expect(res.stderr).toContain('secretwatch replay <files or dirs>');
    // Not a terminal here, so the alerts come out as JSON lines.
    expect(lines(res.stdout)).toHaveLength(EXPECTED_DEMO_ALERTS.length);
  });

  it('fails with exit code 2 naming a rules folder that does not exist', async () => {
    const missing = join(tmpdir(), 'secretwatch-no-such-rules-dir');
    const res = await runCli(['replay', demo, '--rules', missing]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(missing);
    expect(res.stderr).toContain('[SW_RULE_INVALID]');
    expect(res.stdout).toBe('');
  });

  it('fails with exit code 2 naming an unknown configuration key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-replay-config-'));
    const config = join(dir, 'secretwatch.yaml');
    writeFileSync(config, 'detection:\n  allowed_lateness: 15m\n  reorder_window: 5m\n');
    const res = await runCli(['replay', demo, '--config', config]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(config);
    expect(res.stderr).toContain('detection.reorder_window: unknown key; allowed keys here are allowed_lateness, reorder_horizon, reorder_capacity, learning');
    expect(res.stderr).toContain('[SW_CONFIG_INVALID]');
  });

  it('saves state with baseline and restores it on the next replay', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'sw-replay-state-')), 'state');
    const baseline = await runCli(['baseline', join(demo, 'aws'), '--state-dir', stateDir]);
    expect(baseline.code).toBe(0);
    expect(baseline.stdout).toBe(''); // baseline learns, it prints no alerts
    const stateFile = join(stateDir, 'detector.state');
    expect(existsSync(stateFile)).toBe(true);
    expect(statSync(stateFile).size).toBeGreaterThan(0);
    expect(baseline.stderr).toContain(`saved detector state to ${stateFile}`);
    expect(baseline.stderr).toMatch(/^baseline: \d+ inputs/m);

    const res = await runCli(['replay', join(demo, 'aws'), '--state-dir', stateDir, '--format', 'jsonl']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(new RegExp(`restored state of \\d+ rule\\(s\\) from ${stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(res.stderr).toContain(`saved detector state to ${stateFile}`);
  });
});
