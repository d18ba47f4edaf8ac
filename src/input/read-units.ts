import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SecretwatchError } from '../errors/codes.js';
import type { InputRef } from './walk.js';

/** A piece of an input that the decoder takes whole: a file's bytes, or one line of a large JSON-lines file. */
export type InputUnit = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'line'; text: string };

/** Files up to this size are decoded whole; larger JSON-lines files (plain or gzip) are streamed by line. */
export const WHOLE_FILE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Reads one input as units, holding at most one unit in memory for large JSON-lines inputs.
 * Reports progress in bytes read (compressed bytes for gzip files). Throws SW_INPUT_UNREADABLE
 * only when the input cannot be opened or read at all; content errors are the decoder's business.
 */
export async function* readUnits(
  ref: InputRef,
  onBytes?: (n: number) => void,
  wholeFileMaxBytes = WHOLE_FILE_MAX_BYTES,
): AsyncGenerator<InputUnit> {
  try {
    if (ref.kind === 'file' && ref.size <= wholeFileMaxBytes) {
      const handle = await open(ref.path, 'r');
      try {
        const bytes = await handle.readFile();
        onBytes?.(bytes.length);
        yield { kind: 'bytes', bytes };
      } finally {
        await handle.close();
      }
      return;
    }
    const stream: Readable = ref.kind === 'stdin' ? process.stdin : createReadStream(ref.path);
    yield* readLarge(stream, onBytes);
  } catch (err) {
    if (err instanceof SecretwatchError) throw err;
    const name = ref.kind === 'stdin' ? 'stdin' : ref.path;
    throw new SecretwatchError('SW_INPUT_UNREADABLE', `cannot read ${name}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Standard input and large files: peek at the first bytes; gzip is inflated as a stream. The
 * content is then read line by line when it is JSON lines, or whole when it is one JSON document
 * (a pretty-printed document cannot be split by lines).
 */
async function* readLarge(stream: Readable, onBytes?: (n: number) => void): AsyncGenerator<InputUnit> {
  if (onBytes) stream.on('data', (chunk: Buffer) => onBytes(chunk.length));
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done === true) return;
  const head: Buffer = first.value;
  const rest = prepend(head, iterator);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const content: AsyncIterable<Buffer> = gzip ? rest.pipe(createGunzip()) : rest;
  const lines = splitLines(content);
  const pending: string[] = [];
  let mode: 'unknown' | 'lines' | 'document' = 'unknown';
  for await (const line of lines) {
    if (mode === 'lines') {
      yield { kind: 'line', text: line };
      continue;
    }
    pending.push(line);
    if (mode === 'unknown' && line.trim() !== '') {
      mode = looksLikeCompleteJson(line) ? 'lines' : 'document';
      if (mode === 'lines') {
        for (const p of pending) yield { kind: 'line', text: p };
        pending.length = 0;
      }
    }
  }
  if (pending.length > 0) yield { kind: 'bytes', bytes: Buffer.from(pending.join('\n')) };
}

/**
 * Lines of UTF-8 text from a byte stream (LF or CRLF). Hand-written because `readline` cost as
 * much per line as parsing the CloudTrail record on it (about 6 us per line, measured by the
 * replay benchmark).
 */
async function* splitLines(content: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of content) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      const end = nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  carry += decoder.end();
  if (carry !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry;
}

function looksLikeCompleteJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function prepend(head: Buffer, iterator: AsyncIterator<Buffer>): Readable {
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return Readable.from(all());
}
