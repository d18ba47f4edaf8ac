import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAll, withoutRaw } from '../support/collect.js';

/**
 * Golden pairs: every input under fixtures/golden/<provider>/ beside `<case>.expected.json`,
 * which states the normalized events (without `raw`), the unrelated count and the rejection
 * reasons for the whole input. The expected files are written by hand: they are the spec.
 */
const root = join(import.meta.dirname, '..', '..', 'fixtures', 'golden');

interface Expected {
  events: unknown[];
  unrelated: number;
  rejected: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function caseBase(path: string): string | undefined {
  if (path.endsWith('.expected.json') || path.endsWith('.md')) return undefined;
  return path.replace(/\.(json|jsonl|ndjson|txt|b64)(\.gz)?$|\.gz$/, '');
}

const inputs = walk(root).filter((p) => caseBase(p) !== undefined);

describe('golden fixtures', () => {
  it('has golden cases for every provider', () => {
    for (const provider of ['aws', 'gcp', 'azure']) {
      expect(inputs.filter((p) => relative(root, p).startsWith(provider + '/')).length).toBeGreaterThan(5);
    }
  });

  for (const input of inputs) {
    const base = caseBase(input) ?? input;
    it(relative(root, input), () => {
      const expected = JSON.parse(readFileSync(`${base}.expected.json`, 'utf8')) as Expected;
      const got = decodeAll(readFileSync(input), relative(root, input));
      expect(got.events.map(withoutRaw)).toEqual(expected.events);
      expect(got.unrelated.length).toBe(expected.unrelated);
      expect(got.rejections.map((r) => r.reason)).toEqual(expected.rejected);
    });
  }
});
