import type { NormalizedEvent, RecordFormat } from '../../../normalizers/format.js';
import { isObject } from '../../../normalizers/common/json.js';
import { azureFormats } from '../../../normalizers/azure/index.js';

/** What a golden `<case>.expected.json` holds. */
export interface DriveResult {
  events: NormalizedEvent[];
  unrelated: number;
  rejected: string[];
}

/**
 * A minimal stand-in for the generic decoder, limited to the Azure formats: classify a value with
 * the first matching format, recurse into children. Unmatched values count as `unknown_format`.
 */
export function drive(value: unknown, formats: readonly RecordFormat[] = azureFormats): DriveResult {
  const out: DriveResult = { events: [], unrelated: 0, rejected: [] };
  const visit = (v: unknown): void => {
    const format = isObject(v) ? formats.find((f) => f.matches(v)) : undefined;
    if (format === undefined || !isObject(v)) {
      out.rejected.push('unknown_format');
      return;
    }
    const result = format.decode(v);
    switch (result.kind) {
      case 'children':
        for (const child of result.items) visit(child);
        break;
      case 'events':
        out.events.push(...result.events);
        break;
      case 'unrelated':
        out.unrelated += 1;
        break;
      case 'rejected':
        out.rejected.push(result.reason);
        break;
      case 'skipped':
        break;
      case 'payloads':
        throw new Error('Azure formats never return payloads');
    }
  };
  visit(value);
  return out;
}
