import type { FormatResult, JsonObject, Payload, RecordFormat, RejectReason, UnrelatedResult } from '../../normalizers/format.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { UNLIMITED_BUDGET, type DecodeBudget } from './budget.js';
import type { InputCursor } from './cursor.js';
import { runSync, type DecodeWork } from './inflate.js';
import { DEFAULT_DECODE_LIMITS, type DecodeLimits } from './limits.js';
import type { DecodeSink } from './sink.js';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
// Base64 (standard or URL-safe) with optional line breaks, as Pub/Sub and `awslogs.data` carry it.
const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const RECORD_STEP = Object.freeze({ kind: 'record' as const });

function chain(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}>${name}`;
}

/**
 * The single entry point from bytes, text or parsed JSON to normalized events.
 *
 * It knows encodings (gzip, base64, JSON, JSON lines) and walks envelopes, but no provider field:
 * the `RecordFormat`s from `normalizers/` recognize and map records. Nothing throws out of it: every
 * failure becomes a `Rejection` for that record alone, so one bad record never loses its neighbours.
 *
 * Before parsing a JSON object text (a whole document, or one line of JSON lines), it asks the
 * formats that have a pre-parse screen (`RecordFormat.screenUnrelated`) whether the text is
 * certainly one unrelated record; if one says so, the record is counted as unrelated exactly as
 * if it had been parsed and classified, WITHOUT being validated as JSON (a syntax error hidden
 * inside such a record is not reported as `invalid_json`). What is certain is the formats'
 * business: the decoder only asks, in format order.
 *
 * The work is written as generators (`*Work` methods) that pause at every gunzip and record
 * boundary: `decodeBytes`/`decodeText`/`decodeValue` run them to the end on the spot (files),
 * while a receiver drives them itself, inflating off the event loop and handing the loop back
 * between records (see `src/receivers/decode-driver.ts`). A `DecodeBudget` bounds what all the
 * inflations of one input produce together.
 */
export class Decoder {
  private readonly limits: DecodeLimits;
  /** The formats that can classify a record's text before it is parsed, in format order. */
  private readonly screens: readonly RecordFormat[];

  constructor(
    private readonly formats: readonly RecordFormat[],
    private readonly sink: DecodeSink,
    limits: Partial<DecodeLimits> = {},
  ) {
    this.limits = { ...DEFAULT_DECODE_LIMITS, ...limits };
    this.screens = formats.filter((format) => format.screenUnrelated !== undefined);
  }

  /** Bytes of any supported encoding: gzip, UTF-8 JSON, JSON lines, base64 of those. */
  decodeBytes(bytes: Uint8Array, cursor: InputCursor, budget: DecodeBudget = UNLIMITED_BUDGET): void {
    runSync(this.bytesWork(bytes, cursor, budget));
  }

  /** Text: one JSON document, JSON lines, or base64 of any supported bytes. */
  decodeText(text: string, cursor: InputCursor, budget: DecodeBudget = UNLIMITED_BUDGET): void {
    runSync(this.textWork(text, cursor, budget));
  }

  /** One record or envelope already parsed (an OTLP map body, a parsed JSON document). */
  decodeValue(value: unknown, cursor: InputCursor, budget: DecodeBudget = UNLIMITED_BUDGET): void {
    runSync(this.valueWork(value, cursor, budget));
  }

  /** `decodeBytes` as work to drive. */
  *bytesWork(bytes: Uint8Array, cursor: InputCursor, budget: DecodeBudget, prefix = '', depth = 0): DecodeWork {
    if (depth > this.limits.maxEnvelopeDepth) {
      return this.reject(cursor, prefix, 'too_deep', `envelopes nested deeper than ${this.limits.maxEnvelopeDepth}`, bytes);
    }
    if (bytes.length > this.limits.maxInputBytes) {
      return this.reject(cursor, prefix, 'too_large', `input of ${bytes.length} bytes exceeds ${this.limits.maxInputBytes}`, bytes.subarray(0, 64));
    }
    if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
      const room = Math.min(this.limits.maxDecompressedBytes, budget.remaining);
      const tooLarge = (): void => {
        budget.exhausted();
        const limit = room < this.limits.maxDecompressedBytes ? `the ${room} bytes left of its input's decompression budget` : `${room} bytes`;
        this.reject(cursor, prefix, 'too_large', `gzip output exceeds ${limit}`, bytes.subarray(0, 64));
      };
      if (room <= 0) return tooLarge();
      const inflated = yield { kind: 'inflate', bytes, maxOutputLength: room, budget };
      if (inflated === undefined) throw new Error('Decoder: an inflate step was resumed without its result');
      if (!inflated.ok) {
        if (inflated.tooLarge) return tooLarge();
        return this.reject(cursor, prefix, 'invalid_gzip', `gzip data is corrupt or truncated: ${inflated.message}`, bytes);
      }
      return yield* this.bytesWork(inflated.bytes, cursor, budget, chain(prefix, 'gzip'), depth + 1);
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return this.reject(cursor, prefix, 'invalid_encoding', 'input is neither gzip nor valid UTF-8 text', bytes);
    }
    yield* this.textWork(text, cursor, budget, prefix, depth);
  }

  /** `decodeText` as work to drive. */
  *textWork(text: string, cursor: InputCursor, budget: DecodeBudget, prefix = '', depth = 0): DecodeWork {
    if (depth > this.limits.maxEnvelopeDepth) {
      return this.reject(cursor, prefix, 'too_deep', `envelopes nested deeper than ${this.limits.maxEnvelopeDepth}`, text);
    }
    const start = firstNonSpace(text);
    if (start === -1) return; // blank input carries no record
    const first = text.charCodeAt(start);
    if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
      // A screen refuses text that holds more than one value, such as JSON lines (screened below).
      if (first === 0x7b && this.screens.length !== 0 && this.screened(text, cursor, prefix)) return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        if (text.indexOf('\n', start) !== -1) return yield* this.jsonLinesWork(text, cursor, budget, prefix, depth);
        return this.reject(cursor, prefix, 'invalid_json', jsonErrorDetail(err), text);
      }
      return yield* this.valueWork(value, cursor, budget, prefix, depth);
    }
    const trimmed = text.trim().replace(/[\r\n]+/g, '');
    if (BASE64_TEXT.test(trimmed)) {
      const bytes = Buffer.from(trimmed, 'base64');
      const b0 = bytes[0];
      if (bytes.length > 0 && (b0 === GZIP_MAGIC_0 || b0 === 0x7b || b0 === 0x5b || b0 === 0x20 || b0 === 0x0a)) {
        return yield* this.bytesWork(bytes, cursor, budget, chain(prefix, 'base64'), depth + 1);
      }
      return this.reject(cursor, prefix, 'invalid_base64', 'base64 text does not decode to gzip or JSON', text);
    }
    this.reject(cursor, prefix, 'invalid_json', 'input is not JSON, JSON lines, gzip or base64', text);
  }

  /** `decodeValue` as work to drive. */
  *valueWork(value: unknown, cursor: InputCursor, budget: DecodeBudget, prefix = '', depth = 0): DecodeWork {
    if (depth > this.limits.maxEnvelopeDepth) {
      return this.reject(cursor, prefix, 'too_deep', `envelopes nested deeper than ${this.limits.maxEnvelopeDepth}`, value);
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        yield* this.valueWork(item, cursor, budget, prefix, depth + 1);
        yield RECORD_STEP;
      }
      return;
    }
    if (typeof value === 'string') return yield* this.textWork(value, cursor, budget, prefix, depth + 1);
    if (typeof value !== 'object' || value === null) {
      return this.reject(cursor, prefix, 'unknown_format', `a ${value === null ? 'null' : typeof value} is not an audit record`, value);
    }
    const record = value as JsonObject;
    for (const format of this.formats) {
      if (!format.matches(record)) continue;
      let result: FormatResult;
      try {
        result = format.decode(record);
      } catch (err) {
        // A format bug must cost one record, not the stream.
        result = { kind: 'rejected', reason: 'malformed_record', detail: `${format.name}: ${(err as Error).message}` };
      }
      return yield* this.apply(result, record, cursor, budget, chain(prefix, format.name), depth);
    }
    this.reject(cursor, prefix, 'unknown_format', `no known audit record or envelope has keys ${describeKeys(record)}`, record);
  }

  private *apply(result: FormatResult, record: JsonObject, cursor: InputCursor, budget: DecodeBudget, format: string, depth: number): DecodeWork {
    switch (result.kind) {
      case 'events': {
        const index = cursor.take();
        for (const event of result.events) {
          // Formats return fresh objects: attach the pointer in place rather than copy every field.
          const full = event as SecretAccessEvent;
          full.raw = { source: cursor.source, index, format };
          this.sink.event(full);
        }
        return;
      }
      case 'children':
        for (const item of result.items) {
          yield* this.valueWork(item, cursor, budget, format, depth + 1);
          yield RECORD_STEP;
        }
        return;
      case 'payloads':
        for (const payload of result.items) {
          yield* this.payloadWork(payload, cursor, budget, format, depth + 1);
          yield RECORD_STEP;
        }
        return;
      case 'unrelated':
        return this.unrelated(cursor, format, result.reason);
      case 'skipped':
        return;
      case 'rejected':
        return this.reject(cursor, format, result.reason, result.detail, record);
    }
  }

  private unrelated(cursor: InputCursor, format: string, reason: string): void {
    cursor.take();
    this.sink.unrelated(format, reason);
  }

  /**
   * Asks the formats' pre-parse screens about the text of one record. True if one counted it as
   * unrelated (as `apply` would have, under the same format chain); false to parse it as usual.
   */
  private screened(text: string, cursor: InputCursor, prefix: string): boolean {
    for (const format of this.screens) {
      let result: UnrelatedResult | undefined;
      try {
        result = format.screenUnrelated?.(text);
      } catch {
        return false; // a screen bug costs the parse it meant to save, nothing else
      }
      if (result !== undefined) {
        this.unrelated(cursor, chain(prefix, format.name), result.reason);
        return true;
      }
    }
    return false;
  }

  private *payloadWork(payload: Payload, cursor: InputCursor, budget: DecodeBudget, prefix: string, depth: number): DecodeWork {
    switch (payload.kind) {
      case 'text':
        return yield* this.textWork(payload.text, cursor, budget, prefix, depth);
      case 'bytes':
        return yield* this.bytesWork(payload.bytes, cursor, budget, prefix, depth);
      case 'base64': {
        const compact = payload.text.replace(/\s+/g, '');
        if (!BASE64_TEXT.test(compact)) {
          return this.reject(cursor, prefix, 'invalid_base64', 'payload is not valid base64', payload.text);
        }
        return yield* this.bytesWork(Buffer.from(compact, 'base64'), cursor, budget, chain(prefix, 'base64'), depth);
      }
    }
  }

  private *jsonLinesWork(text: string, cursor: InputCursor, budget: DecodeBudget, prefix: string, depth: number): DecodeWork {
    let lineStart = 0;
    let lineNo = 0;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) lineEnd = text.length;
      lineNo++;
      const line = text.slice(lineStart, lineEnd);
      lineStart = lineEnd + 1;
      const start = firstNonSpace(line);
      if (start === -1) continue;
      if (this.screens.length !== 0 && line.charCodeAt(start) === 0x7b /* { */ && this.screened(line, cursor, prefix)) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        this.reject(cursor, prefix, 'invalid_json', `line ${lineNo}: ${jsonErrorDetail(err)}`, line);
        continue;
      }
      yield* this.valueWork(value, cursor, budget, prefix, depth);
      yield RECORD_STEP;
    }
  }

  private reject(cursor: InputCursor, format: string, reason: RejectReason, detail: string, input: unknown): void {
    const index = cursor.take();
    const kept =
      typeof input === 'string' && input.length > this.limits.maxDeadLetterChars
        ? `${input.slice(0, this.limits.maxDeadLetterChars)}…[truncated]`
        : input;
    this.sink.rejection({ reason, detail, source: cursor.source, index, format, input: kept });
  }
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return i;
  }
  return -1;
}

function jsonErrorDetail(err: unknown): string {
  return `invalid JSON: ${err instanceof Error ? err.message : String(err)}`;
}

function describeKeys(record: JsonObject): string {
  const keys = Object.keys(record);
  const shown = keys.slice(0, 6).map((k) => JSON.stringify(k.slice(0, 40)));
  return keys.length === 0 ? '(none)' : `${shown.join(', ')}${keys.length > 6 ? ', …' : ''}`;
}
