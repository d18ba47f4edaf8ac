import type { Rejection } from '../decode/rejection.js';

/**
 * One dead-letter line: the rejected input as found, with its reason and position, so that it can
 * be inspected and replayed after a fix. Bytes are kept as base64.
 */
export function deadLetterLine(rejection: Rejection): string {
  const { input, ...where } = rejection;
  if (input instanceof Uint8Array) {
    return JSON.stringify({ ...where, input_encoding: 'base64', input: Buffer.from(input).toString('base64') });
  }
  if (typeof input === 'string') return JSON.stringify({ ...where, input_encoding: 'text', input });
  return JSON.stringify({ ...where, input_encoding: 'json', input });
}
