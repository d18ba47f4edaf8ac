import type { Decoder } from '../decode/decoder.js';
import { InputCursor } from '../decode/cursor.js';
import { SecretwatchError } from '../errors/codes.js';
import { readUnits } from './read-units.js';
import { inputName, type InputRef } from './walk.js';

export interface DecodeInputsResult {
  inputs: number;
  /** Records seen across inputs (events, unrelated and rejected, each record once). */
  records: number;
  /** Inputs that could not be read at all. */
  unreadable: number;
}

export interface DecodeInputsOptions {
  /**
   * Called after each unit (a whole file, or one read chunk's batch of lines) so the caller can
   * flush output and apply backpressure; once per batch keeps it off the per-record path.
   */
  afterUnit?: () => Promise<void>;
  onBytes?: (n: number, records: number) => void;
  onError: (path: string, err: SecretwatchError) => void;
}

/** Feeds every input through one decoder, in order, one unit (file or batch of lines) at a time. */
export async function decodeInputs(refs: readonly InputRef[], decoder: Decoder, options: DecodeInputsOptions): Promise<DecodeInputsResult> {
  const result: DecodeInputsResult = { inputs: 0, records: 0, unreadable: 0 };
  let bytes = 0;
  for (const ref of refs) {
    const cursor = new InputCursor(inputName(ref));
    try {
      for await (const unit of readUnits(ref, (n) => {
        bytes += n;
        options.onBytes?.(bytes, result.records + cursor.nextIndex);
      })) {
        if (unit.kind === 'bytes') decoder.decodeBytes(unit.bytes, cursor);
        else for (const line of unit.lines) decoder.decodeText(line, cursor);
        await options.afterUnit?.();
      }
      result.inputs++;
    } catch (err) {
      result.unreadable++;
      const wrapped =
        err instanceof SecretwatchError
          ? err
          : new SecretwatchError('SW_INPUT_UNREADABLE', `cannot read ${cursor.source}: ${(err as Error).message}`);
      options.onError(cursor.source, wrapped);
    }
    result.records += cursor.nextIndex;
  }
  return result;
}
