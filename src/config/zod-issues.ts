import type { z } from 'zod';

/**
 * Zod issues as lines that name the key and say what is allowed:
 * `detection.allowed_lateness: must be a duration with a unit, such as 10m`.
 */
export function formatZodIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const where = `${prefix}${path === '' ? '(top level)' : path}`;
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    }
    return `${where}: ${issue.message}`;
  });
}
