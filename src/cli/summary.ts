import type { DecodeStats } from '../decode/stats.js';
import type { DecodeInputsResult } from '../input/decode-inputs.js';

function breakdown(map: ReadonlyMap<string, number>): string {
  const parts = [...map.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** The human summary printed on standard error after a run over files. */
export function formatDecodeSummary(command: string, run: DecodeInputsResult, stats: DecodeStats): string {
  return [
    `${command}: ${run.inputs} input${run.inputs === 1 ? '' : 's'}, ${run.records} record${run.records === 1 ? '' : 's'}` +
      (run.unreadable > 0 ? `, ${run.unreadable} unreadable` : ''),
    `  secret events: ${stats.events}${breakdown(stats.eventsByProvider)}`,
    `  unrelated:     ${stats.unrelatedCount}${breakdown(stats.unrelatedByReason)}`,
    `  rejected:      ${stats.rejected}${breakdown(stats.rejectedByReason)}`,
  ].join('\n');
}
