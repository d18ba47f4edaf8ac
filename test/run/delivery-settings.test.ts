import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunSettings } from '../../src/run/settings.js';

function settingsFrom(yaml: string): ReturnType<typeof resolveRunSettings> {
  const path = join(mkdtempSync(join(tmpdir(), 'sw-delivery-settings-')), 'config.yaml');
  writeFileSync(path, yaml);
  return resolveRunSettings({ config: path }, {});
}

describe('run settings: dead letters and degraded readiness', () => {
  it('defaults: dead-letter file under the state folder, 64 MiB, degraded after 5 minutes', () => {
    const s = settingsFrom('state: { dir: /var/lib/sw }\n');
    expect(s.deadLetterFile).toBe(join('/var/lib/sw', 'dead-letter', 'alerts.jsonl'));
    expect(s.deadLetterMaxBytes).toBe(64 * 1024 * 1024);
    expect(s.degradedAfterMs).toBe(300_000);
  });

  it('takes the keys as written', () => {
    const s = settingsFrom('exporter: { degraded_after: 90s }\noutbox: { dead_letter_file: /tmp/dl.jsonl, dead_letter_max_bytes: 2048 }\n');
    expect(s).toMatchObject({ deadLetterFile: '/tmp/dl.jsonl', deadLetterMaxBytes: 2048, degradedAfterMs: 90_000 });
  });

  it.each([
    ['exporter: { degraded_after: soon }', /exporter\.degraded_after: must be a duration with a unit/],
    ['exporter: { degraded_after: 0s }', /exporter\.degraded_after: must be above 0/],
    ['exporter: { degraded_after: 300 }', /exporter\.degraded_after: must be a string/],
    ['outbox: { dead_letter_max_bytes: 10 }', /outbox\.dead_letter_max_bytes/],
    ['outbox: { dead_letter_file: "" }', /outbox\.dead_letter_file/],
  ])('%s is refused, naming the key', (yaml, message) => {
    expect(() => settingsFrom(`${yaml}\n`)).toThrow(message);
  });
});
