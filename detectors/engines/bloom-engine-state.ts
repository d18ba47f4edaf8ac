import { WindowedBloom } from '../sketch/windowed-bloom.js';
import { decodeEngineState, decodeScalars, encodeEngineState, encodeScalars, restoreSection, type EngineKind } from './engine-state.js';
import type { LatenessGate } from './lateness-gate.js';

/**
 * State of an engine that is a lateness gate plus one windowed Bloom filter (new_terms,
 * multi_provider): both snapshot and restore it the same way, so the layout lives here once.
 */
export function snapshotBloomEngine(kind: EngineKind, fingerprint: number, gate: LatenessGate, bloom: WindowedBloom): Uint8Array {
  return encodeEngineState(kind, fingerprint, [encodeScalars([gate.latestMs, gate.late]), bloom.serialize()]);
}

/**
 * Reads a snapshot taken by `snapshotBloomEngine`, checks the filter has the current one's shape,
 * and only then updates `gate`; returns the restored filter. Throws (and changes nothing) otherwise.
 */
export function restoreBloomEngine(
  bytes: Uint8Array,
  kind: EngineKind,
  fingerprint: number,
  gate: LatenessGate,
  current: WindowedBloom,
  sectionName: string,
): WindowedBloom {
  const sections = decodeEngineState(bytes, kind, fingerprint, 2);
  const [latestMs, late] = decodeScalars(sections[0]!, 2) as [number, number];
  const bloom = restoreSection(
    sectionName,
    sections[1]!,
    (b) => WindowedBloom.deserialize(b),
    (s) => s.bits === current.bits && s.hashes === current.hashes && s.seed === current.seed && s.clock.slots === current.clock.slots,
  );
  gate.latestMs = latestMs;
  gate.late = late;
  return bloom;
}
