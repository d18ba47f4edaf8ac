import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SecretwatchError } from '../../src/errors/codes.js';
import { readUnits, splitLines, type InputUnit } from '../../src/input/read-units.js';

async function units(path: string, size: number, wholeMax: number, chunkBytes?: number, onBytes?: (n: number) => void): Promise<InputUnit[]> {
  const out: InputUnit[] = [];
  for await (const u of readUnits({ kind: 'file', path, size }, onBytes, wholeMax, chunkBytes)) out.push(u);
  return out;
}

/** Every line of the line units, in order; a bytes unit shows as 'bytes'. */
function flat(got: readonly InputUnit[]): string[] {
  return got.flatMap((u) => (u.kind === 'lines' ? u.lines : ['bytes']));
}

async function* fromChunks(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

async function collect(it: AsyncIterable<string[]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of it) out.push(batch);
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

  it('streams a large JSON-lines file in batches of lines, the last line without a newline', async () => {
    const path = join(dir, 'large.jsonl');
    writeFileSync(path, lines.join('\n'));
    const got = await units(path, 10_000, 4);
    // One read chunk holds the file; the unterminated last line comes out once the input ends.
    expect(got).toEqual([
      { kind: 'lines', lines: lines.slice(0, 3) },
      { kind: 'lines', lines: lines.slice(3) },
    ]);
  });

  it('yields one unit per read chunk, each line whole, and reports bytes read', async () => {
    const path = join(dir, 'chunks.jsonl');
    const body = Array.from({ length: 500 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(i % 37) }));
    writeFileSync(path, `${body.join('\n')}\n`);
    const size = statSync(path).size;
    const reads: number[] = [];
    const got = await units(path, size, 4, 1000, (n) => reads.push(n));
    expect(flat(got)).toEqual(body);
    expect(got.every((u) => u.kind === 'lines' && u.lines.length > 1)).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(Math.floor(size / 1000) - 1);
    expect(got.length).toBeLessThanOrEqual(Math.ceil(size / 1000));
    expect(reads.reduce((a, b) => a + b, 0)).toBe(size);
    expect(reads.slice(0, -1).every((n) => n === 1000)).toBe(true);
  });

  it('keeps blank lines before the first record, in order', async () => {
    const path = join(dir, 'blank-first.jsonl');
    // Chunks of 8 bytes: the first chunks hold nothing but blank lines.
    const body = ['', '   ', '', '', '', '{"first":true}', '{"second":true}'];
    writeFileSync(path, body.join('\n'));
    const got = await units(path, 10_000, 4, 8);
    expect(flat(got)).toEqual(body);
  });

  it('inflates a large gzip JSON-lines file as a stream', async () => {
    const path = join(dir, 'large.jsonl.gz');
    writeFileSync(path, gzipSync(lines.join('\n')));
    const got = await units(path, 10_000, 4);
    expect(flat(got)).toEqual(lines);
  });

  it('inflates gzip read in chunks smaller than its header', async () => {
    const path = join(dir, 'many.jsonl.gz');
    const body = Array.from({ length: 400 }, (_, i) => JSON.stringify({ i, s: 'é€'.repeat(i % 11) }));
    const gz = gzipSync(`${body.join('\r\n')}\r\n`);
    writeFileSync(path, gz);
    let bytes = 0;
    // One-byte reads: the gzip magic spans two chunks.
    const got = await units(path, 10_000_000, 4, 1, (n) => (bytes += n));
    expect(flat(got)).toEqual(body);
    expect(bytes).toBe(gz.length);
  });

  it('fails with SW_INPUT_UNREADABLE on corrupt streamed gzip', async () => {
    const path = join(dir, 'corrupt.jsonl.gz');
    const gz = gzipSync('{"a":1}\n'.repeat(10_000));
    writeFileSync(path, Buffer.concat([gz.subarray(0, 40), Buffer.alloc(200, 0x55)]));
    const err = await units(path, 10_000_000, 4, 64).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretwatchError);
    expect((err as SecretwatchError).code).toBe('SW_INPUT_UNREADABLE');
    expect((err as Error).message).toContain(path);
  });

  it('fails with SW_INPUT_UNREADABLE for a large input that cannot be opened', async () => {
    const path = join(dir, 'no-such-file.jsonl');
    const err = await units(path, 10_000_000, 4).catch((e: unknown) => e);
    expect((err as SecretwatchError).code).toBe('SW_INPUT_UNREADABLE');
    expect((err as Error).message).toBe(`cannot read ${path}: ENOENT: no such file or directory, open '${path}'`);
  });

  it('splits CRLF lines and keeps multi-byte characters that straddle read chunks', async () => {
    const path = join(dir, 'crlf.jsonl');
    // Long lines so that the read chunks end inside a multi-byte character.
    const body = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, s: 'é€'.repeat(5000) }));
    writeFileSync(path, `${body.join('\r\n')}\r\n`);
    const got = await units(path, 10_000_000, 4);
    expect(flat(got)).toEqual(body);
    // Odd chunk sizes end inside characters (é is 2 bytes, € 3) at varying offsets.
    expect(flat(await units(path, 10_000_000, 4, 4099))).toEqual(body);
    expect(flat(await units(path, 10_000_000, 4, 65_537))).toEqual(body);
  });

  it('keeps a large pretty-printed document whole', async () => {
    const path = join(dir, 'large.json');
    const doc = JSON.stringify({ Records: [{ x: 1 }, { y: 2 }] }, null, 2);
    writeFileSync(path, doc);
    const got = await units(path, 10_000, 4);
    expect(got).toHaveLength(1);
    expect(got[0]?.kind === 'bytes' && JSON.parse(Buffer.from(got[0].bytes).toString('utf8'))).toEqual(JSON.parse(doc));
  });

  it('keeps a pretty-printed CRLF document read in small chunks whole, its lines joined by LF', async () => {
    const path = join(dir, 'crlf.json');
    const doc = JSON.stringify({ Records: Array.from({ length: 50 }, (_, i) => ({ i, s: 'ü' })) }, null, 2);
    writeFileSync(path, `\r\n${doc.replace(/\n/g, '\r\n')}\r\n`);
    const got = await units(path, 10_000, 4, 16);
    expect(got).toHaveLength(1);
    expect(got[0]?.kind === 'bytes' && Buffer.from(got[0].bytes).toString('utf8')).toBe(`\n${doc}`);
  });

  it('lets the caller stop early', async () => {
    const path = join(dir, 'stop.jsonl');
    writeFileSync(path, '{"a":1}\n'.repeat(100_000));
    let seen = 0;
    for await (const u of readUnits({ kind: 'file', path, size: 800_000 }, undefined, 4, 4096)) {
      seen += u.kind === 'lines' ? u.lines.length : 0;
      if (seen >= 1000) break;
    }
    expect(seen).toBe(1024);
  });

  it('lets the caller stop early in a streamed gzip file', async () => {
    const path = join(dir, 'stop.jsonl.gz');
    writeFileSync(path, gzipSync('{"a":1}\n'.repeat(200_000)));
    let seen = 0;
    for await (const u of readUnits({ kind: 'file', path, size: 10_000_000 }, undefined, 4, 1024)) {
      seen += u.kind === 'lines' ? u.lines.length : 0;
      if (seen >= 1000) break;
    }
    expect(seen).toBeGreaterThanOrEqual(1000);
    expect(seen).toBeLessThan(200_000);
  });
});

describe('splitLines', () => {
  const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

  it('yields one batch per chunk that ends a line, carrying partial lines', async () => {
    expect(await collect(splitLines(fromChunks([utf8('a\nb'), utf8('c\r'), utf8('\nd\n\n'), utf8('e')])))).toEqual([['a'], ['bc', 'd', ''], ['e']]);
  });

  it('carries a line across many chunks without a newline', async () => {
    const parts = Array.from({ length: 100 }, (_, i) => utf8(`part${i},`));
    const all = parts.map((p) => Buffer.from(p).toString('utf8')).join('');
    expect(await collect(splitLines(fromChunks([...parts, utf8('\r\nlast\r')])))).toEqual([[all], ['last']]);
  });

  it('keeps a multi-byte character split between chunks', async () => {
    const bytes = utf8('€\n😀x');
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    expect((await collect(splitLines(fromChunks(chunks)))).flat()).toEqual(['€', '😀x']);
  });

  it('yields nothing for empty input', async () => {
    expect(await collect(splitLines(fromChunks([])))).toEqual([]);
  });
});
