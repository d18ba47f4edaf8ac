/** Position within one named input, shared by every envelope found in it. */
export class InputCursor {
  /** Index the next record will get. */
  nextIndex = 0;

  constructor(readonly source: string) {}

  take(): number {
    return this.nextIndex++;
  }
}
