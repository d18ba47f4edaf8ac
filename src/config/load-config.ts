import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { SecretwatchError } from '../errors/codes.js';
import { substituteEnv } from './env-substitution.js';
import { configSchema, type Config } from './schema.js';
import { formatZodIssues } from './zod-issues.js';

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
  const result = configSchema.safeParse(substituteEnv(raw, env));
  if (!result.success) {
    throw new SecretwatchError('SW_CONFIG_INVALID', `${path} is not valid:\n  ${formatZodIssues(result.error).join('\n  ')}`);
  }
  return result.data;
}
