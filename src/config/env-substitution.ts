import { SecretwatchError } from '../errors/codes.js';

/**
 * `${env:NAME}` in any string value of the config file is replaced by the environment variable
 * NAME (as the OpenTelemetry Collector's config does), so tokens and endpoints stay out of the
 * file. An unset variable is an error naming the key, not an empty string.
 */
const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new SecretwatchError('SW_CONFIG_INVALID', `${path || '(top level)'}: environment variable ${name} is not set`);
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, path === '' ? k : `${path}.${k}`);
    return out;
  }
  return value;
}
