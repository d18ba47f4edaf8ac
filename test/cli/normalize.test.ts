import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { getSecretValue } from '../support/records.js';
import { repoRoot, runCli } from '../support/cli.js';

const parseLines = (text: string): SecretAccessEvent[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as SecretAccessEvent);

describe('secretwatch normalize', () => {
  it('normalizes a directory recursively and summarizes on stderr', async () => {
    const res = await runCli(['normalize', join(repoRoot, 'fixtures', 'corpus')]);
    expect(res.code).toBe(0);
    const events = parseLines(res.stdout);
    expect(events.length).toBeGreaterThan(40);
    expect(new Set(events.map((e) => e.provider))).toEqual(new Set(['aws', 'gcp', 'azure']));
    expect(res.stderr).toMatch(/normalize: 46 inputs, \d+ records/);
    expect(res.stderr).toMatch(new RegExp(`secret events: ${events.length} \\(aws \\d+, azure \\d+, gcp \\d+\\)`));
    expect(res.stderr).toMatch(/rejected: +\d+ \(invalid_json \d+, missing_time \d+\)/);
  });

  it('reads standard input with -', async () => {
    const stdin = [getSecretValue({ eventID: 'one' }), getSecretValue({ eventID: 'two' })].map((r) => JSON.stringify(r)).join('\n');
    const res = await runCli(['normalize', '-'], { stdin });
    expect(res.code).toBe(0);
    expect(parseLines(res.stdout).map((e) => [e.event_id, e.raw.source])).toEqual([
      ['one', 'stdin'],
      ['two', 'stdin'],
    ]);
  });

  it('writes rejected inputs with their reasons to the dead-letter file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-normalize-'));
    const input = join(dir, 'mixed.jsonl');
    writeFileSync(input, [JSON.stringify(getSecretValue()), '{broken', JSON.stringify({ eventName: 'GetSecretValue', eventSource: 'secretsmanager.amazonaws.com' })].join('\n'));
    const gz = join(dir, 'truncated.json.gz');
    writeFileSync(gz, gzipSync(JSON.stringify({ Records: [getSecretValue()] })).subarray(0, 30));
    const deadLetter = join(dir, 'dead.jsonl');
    const res = await runCli(['normalize', '--dead-letter', deadLetter, input, gz]);
    expect(res.code).toBe(0);
    expect(parseLines(res.stdout)).toHaveLength(1);
    const dead = readFileSync(deadLetter, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(dead.map((d) => [d.reason, d.source, d.index, d.input_encoding])).toEqual([
      ['invalid_json', input, 1, 'text'],
      ['missing_time', input, 2, 'json'],
      ['invalid_gzip', gz, 0, 'base64'],
    ]);
    expect(dead[0]?.input).toBe('{broken');
  });

  it('fails with exit code 2 and a clear message for a path that does not exist', async () => {
    const res = await runCli(['normalize', '/nonexistent/secretwatch/input']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('input path does not exist: /nonexistent/secretwatch/input [SW_INPUT_NOT_FOUND]');
    expect(res.stdout).toBe('');
  });

  it('rejects unknown options with usage help and exit code 2', async () => {
    const res = await runCli(['normalize', '--no-such-flag']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/unknown option '--no-such-flag'/);
  });
});
