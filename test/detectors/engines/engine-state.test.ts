import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { configFingerprint, decodeEngineState, encodeEngineState } from '../../../detectors/engines/engine-state.js';
import { isSecretwatchError } from '../../../src/errors/codes.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isSecretwatchError(err) ? err.code : `not typed: ${String(err)}`;
  }
  return undefined;
}

describe('engine snapshot format', () => {
  const fp = configFingerprint(['threshold', 'principal.id', 3_600_000]);
  const sections = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([9])];

  it('round-trips its sections', () => {
    const bytes = encodeEngineState('threshold', fp, sections);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x53, 0x57, 0x45, 0x4e]);
    expect(decodeEngineState(bytes, 'threshold', fp, 3).map((s) => Array.from(s))).toEqual([[1, 2, 3], [], [9]]);
  });

  it('says SW_STATE_CORRUPT for bytes that are not an intact snapshot', () => {
    const good = encodeEngineState('threshold', fp, sections);
    expect(codeOf(() => decodeEngineState(new Uint8Array(0), 'threshold', fp, 3))).toBe('SW_STATE_CORRUPT');
    expect(codeOf(() => decodeEngineState('nope' as never, 'threshold', fp, 3))).toBe('SW_STATE_CORRUPT');
    expect(codeOf(() => decodeEngineState(good.subarray(0, good.length - 1), 'threshold', fp, 3))).toBe('SW_STATE_CORRUPT');
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice();
      bad[i]! ^= 0x10;
      expect(codeOf(() => decodeEngineState(bad, 'threshold', fp, 3))).toBe('SW_STATE_CORRUPT');
    }
  });

  it('says SW_STATE_INCOMPATIBLE for another engine, configuration or newer format', () => {
    const good = encodeEngineState('threshold', fp, sections);
    expect(codeOf(() => decodeEngineState(good, 'new_terms', fp, 3))).toBe('SW_STATE_INCOMPATIBLE');
    expect(codeOf(() => decodeEngineState(good, 'threshold', configFingerprint(['threshold', 'principal.id', 7_200_000]), 3))).toBe(
      'SW_STATE_INCOMPATIBLE',
    );
    const newer = encodeEngineState('threshold', fp, sections);
    newer[4] = 2;
    // Re-seal the checksum, as a newer build would have written it.
    new DataView(newer.buffer).setUint32(newer.length - 4, crc32(newer.subarray(0, newer.length - 4)), true);
    expect(codeOf(() => decodeEngineState(newer, 'threshold', fp, 3))).toBe('SW_STATE_INCOMPATIBLE');
  });
});
