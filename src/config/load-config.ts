import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SecretwatchError } from '../errors/codes.js';
import { substituteEnv } from './env-substitution.js';
import { configSchema, type Config } from './schema.js';
import { formatIssues } from '../../detectors/ruleset/format-issues.js';

/** Loads and validates a config file; every problem is listed, each naming its key. */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  if (path === undefined) return configSchema.parse({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SecretwatchError('SW_CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new SecretwatchError('SW_CONFIG_INVALID', `${path}: not valid YAML: ${(err as Error).message}`);
  }
  const input = substituteEnv(raw, env);
  const result = configSchema.safeParse(input);
  if (!result.success) {
    // The rule loader's formatter: key paths as written in the file, and what is allowed there.
    const lines = formatIssues(result.error.issues, configSchema, input).map((p) => `${p.path}: ${p.message}`);
    throw new SecretwatchError('SW_CONFIG_INVALID', `${path} is not valid:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
