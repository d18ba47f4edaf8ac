import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../normalizers/format.js';
import { isObject } from '../../../normalizers/common/json.js';
import { awsFormats } from '../../../normalizers/aws/index.js';

const corpus = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'corpus');

/** Every object of a corpus file a decoder could present to a format: the document, array items, records. */
function candidates(file: string): JsonObject[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(join(corpus, file), 'utf8'));
  } catch {
    return [];
  }
  const out: JsonObject[] = [];
  const add = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(add);
    else if (isObject(v)) {
      out.push(v);
      for (const key of ['records', 'Records', 'detail', 'message', 'entries']) if (key in v) add(v[key]);
    }
  };
  add(value);
  return out;
}

describe('awsFormats', () => {
  it('tries the envelopes first and the bare record last', () => {
    expect(awsFormats.map((f) => f.name)).toEqual([
      'cloudtrail-log-file',
      'lambda-awslogs',
      'cloudwatch-logs',
      'eventbridge-cloudtrail',
      'cloudtrail-record',
    ]);
  });

  it('claims nothing in the GCP and Azure corpus files', () => {
    const foreign = readdirSync(corpus).filter((f) => /^(gcp|grafana|msdocs|otel|panther__(gcp|azure)|stratus.*gcp)/.test(f));
    expect(foreign.length).toBeGreaterThan(10);
    for (const file of foreign) {
      for (const value of candidates(file)) {
        expect(awsFormats.filter((f) => f.matches(value)).map((f) => f.name), file).toEqual([]);
      }
    }
  });

  it('each AWS corpus object is claimed by exactly the first matching format, and decoding never throws', () => {
    const aws = readdirSync(corpus).filter((f) => /^(aws|external|panther__aws|stratus.*aws)/.test(f));
    let claimed = 0;
    for (const file of aws) {
      for (const value of candidates(file)) {
        const format = awsFormats.find((f) => f.matches(value));
        if (format === undefined) continue;
        claimed++;
        expect(() => format.decode(value), file).not.toThrow();
      }
    }
    expect(claimed).toBeGreaterThan(50);
  });
});
