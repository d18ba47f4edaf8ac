import type { Detector, RestoreResult } from '../../detectors/detector.js';
import { isSecretwatchError } from '../errors/codes.js';
import { stateCorrupt, type SavedState } from './detector-state-file.js';

/**
 * Loads a saved state into a detector. Rules whose state does not fit start fresh (returned with
 * the reason, for a warning); damaged engine state is SW_STATE_CORRUPT naming the file and the rule.
 */
export function restoreDetector(detector: Detector, saved: SavedState): RestoreResult {
  try {
    return detector.restore(saved.snapshot);
  } catch (err) {
    if (isSecretwatchError(err) && err.code === 'SW_STATE_CORRUPT') throw stateCorrupt(saved.path, err.message);
    throw err;
  }
}
