import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSecretValue } from '../support/records.js';

/** A CloudTrail GetSecretValue by `role` from `ip`, `offsetS` seconds after `baseMs`. */
export function read(baseMs: number, offsetS: number, id: string, role: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return getSecretValue({
    eventTime: new Date(baseMs + offsetS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventID: id,
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::123456789012:assumed-role/${role}/s`,
      accountId: '123456789012',
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::123456789012:role/${role}`, accountId: '123456789012', userName: role } },
    },
    ...extra,
  });
}

/** The body of an OTLP/JSON logs export request carrying each record as a log record body. */
export function otlpJson(records: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records.map((r) => ({ body: { stringValue: JSON.stringify(r) } })) }] }] });
}

export async function post(port: number, records: readonly Record<string, unknown>[]): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpJson(records) });
  await res.arrayBuffer();
  return res.status;
}

/** Sends like a Collector: retries on 429 and 503 until accepted; returns the refusal statuses seen. */
export async function postUntilAccepted(port: number, records: readonly Record<string, unknown>[], onRefused?: (status: number) => Promise<void>): Promise<number[]> {
  const refused: number[] = [];
  const until = Date.now() + 60_000;
  for (;;) {
    const status = await post(port, records);
    if (status === 200) return refused;
    if (status !== 429 && status !== 503) throw new Error(`unexpected status ${status}`);
    refused.push(status);
    if (Date.now() > until) throw new Error(`still refused after 60 s: ${refused.join(',')}`);
    await onRefused?.(status);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A temp folder with a config file; `state.dir` is inside it. */
export function configDir(yaml: string): { dir: string; config: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sw-durable-'));
  const stateDir = join(dir, 'state');
  const config = join(dir, 'secretwatch.yaml');
  writeFileSync(config, `state:\n  dir: ${stateDir}\n${yaml}`);
  return { dir, config, stateDir };
}
