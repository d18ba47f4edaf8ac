import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drive } from './drive.js';

// Golden pairs: fixtures/golden/azure/<case>.json beside <case>.expected.json.
const dir = fileURLToPath(new URL('../../../fixtures/golden/azure/', import.meta.url));
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

const readJson = (file: string): unknown => JSON.parse(readFileSync(dir + file, 'utf8')) as unknown;

describe('azure golden fixtures', () => {
  it('has the expected set of cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(21);
  });

  it.each(cases)('%s', (name) => {
    const actual = drive(readJson(`${name}.json`));
    // JSON round trip: drops nothing (no undefined keys are written), compares like the file would.
    expect(JSON.parse(JSON.stringify(actual))).toStrictEqual(readJson(`${name}.expected.json`));
    // No undefined-valued optional keys leak into events.
    for (const event of actual.events) {
      for (const [key, value] of Object.entries(event)) expect(value, key).not.toBeUndefined();
    }
  });
});
