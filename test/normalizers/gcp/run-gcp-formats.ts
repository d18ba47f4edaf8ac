import type { NormalizedEvent } from '../../../normalizers/format.js';
import { isObject } from '../../../normalizers/common/json.js';
import { gcpFormats } from '../../../normalizers/gcp/index.js';

/** What a golden fixture expects: the `<case>.expected.json` shape. */
export interface GoldenOutcome {
  events: NormalizedEvent[];
  unrelated: number;
  rejected: string[];
}

/**
 * A minimal stand-in for the generic decoder, enough to run the GCP formats end to end in tests:
 * top-level arrays, children, base64/text/bytes payloads holding JSON. The real decoder
 * (src/decode) adds gzip, JSON lines, limits and pointers; these tests only exercise the formats.
 */
export function runGcpFormats(value: unknown): GoldenOutcome {
  const out: GoldenOutcome = { events: [], unrelated: 0, rejected: [] };
  visit(value, out, 0);
  return out;
}

function visit(value: unknown, out: GoldenOutcome, depth: number): void {
  if (depth > 16) {
    out.rejected.push('too_deep');
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) visit(item, out, depth + 1);
    return;
  }
  const format = isObject(value) ? gcpFormats.find((f) => f.matches(value)) : undefined;
  if (format === undefined || !isObject(value)) {
    out.rejected.push('unknown_format');
    return;
  }
  const result = format.decode(value);
  switch (result.kind) {
    case 'children':
      for (const item of result.items) visit(item, out, depth + 1);
      return;
    case 'payloads':
      for (const payload of result.items) {
        const text =
          payload.kind === 'text'
            ? payload.text
            : Buffer.from(payload.kind === 'base64' ? Buffer.from(payload.text, 'base64') : payload.bytes).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          out.rejected.push('invalid_json');
          continue;
        }
        visit(parsed, out, depth + 1);
      }
      return;
    case 'events':
      out.events.push(...result.events);
      return;
    case 'unrelated':
      out.unrelated += 1;
      return;
    case 'skipped':
      return;
    case 'rejected':
      out.rejected.push(result.reason);
      return;
  }
}
