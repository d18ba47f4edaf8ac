import { allFormats } from '../../normalizers/index.js';
import type { SecretAccessEvent } from '../../normalizers/schema.js';
import { InputCursor } from '../../src/decode/cursor.js';
import { Decoder } from '../../src/decode/decoder.js';
import type { DecodeLimits } from '../../src/decode/limits.js';
import type { Rejection } from '../../src/decode/rejection.js';

export interface Collected {
  events: SecretAccessEvent[];
  rejections: Rejection[];
  unrelated: { format: string; reason: string }[];
  records: number;
}

/** Runs input through the real decoder and all real formats, collecting everything it reports. */
export function decodeAll(input: Uint8Array | string | unknown, source = 'test', limits: Partial<DecodeLimits> = {}): Collected {
  const out: Collected = { events: [], rejections: [], unrelated: [], records: 0 };
  const decoder = new Decoder(
    allFormats,
    {
      event: (e) => out.events.push(e),
      rejection: (r) => out.rejections.push(r),
      unrelated: (format, reason) => out.unrelated.push({ format, reason }),
    },
    limits,
  );
  const cursor = new InputCursor(source);
  if (input instanceof Uint8Array) decoder.decodeBytes(input, cursor);
  else if (typeof input === 'string') decoder.decodeText(input, cursor);
  else decoder.decodeValue(input, cursor);
  out.records = cursor.nextIndex;
  return out;
}

/** The event without its pointer to the raw record, as golden files write it. */
export function withoutRaw(event: SecretAccessEvent): Omit<SecretAccessEvent, 'raw'> {
  const { raw: _raw, ...rest } = event;
  return rest;
}
