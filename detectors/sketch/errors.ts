/**
 * Typed errors of the sketches, with stable codes (the undici / fastify habit): callers and the
 * state store branch on `code`, never on the message.
 *
 * Only configuration, merge and deserialization throw. The hot paths (`add`, `estimate`, `has`)
 * never throw on event data: a time that is too late or not a number comes back as a status.
 */
export type SketchErrorCode =
  /** A constructor option is out of range; the message names the option. */
  | 'SKETCH_INVALID_OPTION'
  /** A call argument is not usable (a count that is not a non-negative 32-bit integer). */
  | 'SKETCH_INVALID_ARGUMENT'
  /** `merge` of two sketches whose dimensions, seed, update mode or counter width differ. */
  | 'SKETCH_INCOMPATIBLE'
  /** Serialized bytes that are truncated, altered, or not this kind of sketch. */
  | 'SKETCH_CORRUPT'
  /** Serialized bytes written by a newer format version than this code reads. */
  | 'SKETCH_UNSUPPORTED_VERSION';

export class SketchError extends Error {
  readonly code: SketchErrorCode;

  constructor(code: SketchErrorCode, message: string) {
    super(message);
    this.name = 'SketchError';
    this.code = code;
  }
}

export function invalidOption(name: string, expectation: string, value: unknown): SketchError {
  return new SketchError('SKETCH_INVALID_OPTION', `option '${name}' must be ${expectation} (got ${String(value)})`);
}

/** Validates an integer option in [min, max]; returns it. */
export function intOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(name, `an integer in [${min}, ${max}]`, value);
  }
  return value;
}

/** Validates a number option strictly between 0 and 1; returns it. */
export function fractionOption(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw invalidOption(name, 'a number strictly between 0 and 1', value);
  }
  return value;
}

/** Seeds are unsigned 32-bit integers; anything else is refused rather than silently truncated. */
export function seedOption(name: string, value: unknown): number {
  return intOption(name, value ?? 0, 0, 0xffffffff);
}
