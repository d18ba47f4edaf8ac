/**
 * Every typed error secretwatch throws, with a stable code (`SW_<AREA>_<WHAT>`).
 *
 * Codes are part of the interface: scripts and tests match on them, so a code is never renamed;
 * a retired code stays listed here with a note.
 */
export const ERROR_CODES = {
  SW_CLI_USAGE: 'the command line is not valid',
  SW_INPUT_NOT_FOUND: 'an input path does not exist',
  SW_INPUT_UNREADABLE: 'an input path exists but cannot be read',
  SW_OUTPUT_UNWRITABLE: 'an output file cannot be written',
  SW_CONFIG_INVALID: 'the configuration file is not valid',
  SW_RULE_INVALID: 'a rule file is not valid',
  SW_RULE_TEST_FAILED: 'a rule inline test failed',
  SW_STATE_UNREADABLE: 'the detector state file cannot be read or is damaged',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SecretwatchError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretwatchError';
    this.code = code;
  }
}

export function isSecretwatchError(err: unknown): err is SecretwatchError {
  return err instanceof SecretwatchError;
}
