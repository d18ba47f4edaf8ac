import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveRunSettings } from '../src/run/settings.js';

/** The README's configuration example must stay a valid configuration with the defaults it claims. */
describe('README', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

  it('shows a configuration that validates, with the defaults it states', () => {
    const section = readme.slice(readme.indexOf('## Configuration'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    // The example names a rules folder of the reader's own; everything else must load as written.
    const file = join(mkdtempSync(join(tmpdir(), 'sw-readme-')), 'config.yaml');
    writeFileSync(file, (yaml ?? '').replace(/^\s+dir: \.\/my-rules.*\n/m, ''));
    const settings = resolveRunSettings({ config: file }, { SECRETWATCH_TOKEN: 't' });
    expect(settings.otlpHttp?.endpoint).toBe('127.0.0.1:14318');
    expect(settings.otlpGrpc?.endpoint).toBe('127.0.0.1:14317');
    expect(settings.httpEndpoint).toBe('127.0.0.1:14320');
    expect(settings.otlpHttp?.bearer_token).toBe('t');
    expect(settings.otlpExport?.resolved.url).toBe('http://127.0.0.1:4318/v1/logs');
    expect(settings.stateDir).toBe('.secretwatch');
  });

  it('documents every rule that ships', () => {
    for (const id of ['secret_access_spike', 'ssm_decrypt_new_accessor', 'secret_access_new_source', 'secret_enumeration', 'cross_cloud_secret_access']) {
      expect(readme).toContain(`\`${id}\``);
    }
  });
});
