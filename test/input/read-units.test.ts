import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readUnits, type InputUnit } from '../../src/input/read-units.js';

async function units(path: string, size: number, wholeMax: number): Promise<InputUnit[]> {
  const out: InputUnit[] = [];
  for await (const u of readUnits({ kind: 'file', path, size }, undefined, wholeMax)) out.push(u);
  return out;
}

describe('readUnits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-units-'));
  const lines = ['{"a":1}', '{"b":2}', '', '{"c":3}'];

  it('reads a small file whole', async () => {
    const path = join(dir, 'small.jsonl');
    writeFileSync(path, lines.join('\n'));
    const got = await units(path, 100, 1024);
    expect(got).toHaveLength(1);
    expect(got[0]?.kind).toBe('bytes');
  });

  it('streams a large JSON-lines file line by line', async () => {
    const path = join(dir, 'large.jsonl');
    writeFileSync(path, lines.join('\n'));
    const got = await units(path, 10_000, 4);
    expect(got.map((u) => (u.kind === 'line' ? u.text : 'bytes'))).toEqual(lines);
  });

  it('inflates a large gzip JSON-lines file as a stream', async () => {
    const path = join(dir, 'large.jsonl.gz');
    writeFileSync(path, gzipSync(lines.join('\n')));
    const got = await units(path, 10_000, 4);
    expect(got.filter((u) => u.kind === 'line')).toHaveLength(4);
  });

  it('splits CRLF lines and keeps multi-byte characters that straddle read chunks', async () => {
    const path = join(dir, 'crlf.jsonl');
    // Long lines so that the 64 KiB read chunks end inside a multi-byte character.
    const body = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, s: 'é€'.repeat(5000) }));
    writeFileSync(path, `${body.join('\r\n')}\r\n`);
    const got = await units(path, 10_000_000, 4);
    expect(got.map((u) => (u.kind === 'line' ? u.text : 'bytes'))).toEqual(body);
  });

  it('keeps a large pretty-printed document whole', async () => {
    const path = join(dir, 'large.json');
    const doc = JSON.stringify({ Records: [{ x: 1 }, { y: 2 }] }, null, 2);
    writeFileSync(path, doc);
    const got = await units(path, 10_000, 4);
    expect(got).toHaveLength(1);
    expect(got[0]?.kind === 'bytes' && JSON.parse(Buffer.from(got[0].bytes).toString('utf8'))).toEqual(JSON.parse(doc));
  });
});
