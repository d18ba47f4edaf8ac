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
  SW_STATE_UNREADABLE: 'the detector state file exists but cannot be read (permissions, I/O error)',
  SW_STATE_CORRUPT: 'the detector state file, an engine snapshot in it or the write-ahead log is truncated, altered or of the wrong shape (the message names the file and the rule)',
  SW_STATE_INCOMPATIBLE: 'a detection engine snapshot was written by another engine type, configuration or format version',
  SW_OTLP_MALFORMED: 'an OTLP request body cannot be decoded (not protobuf or OTLP/JSON of a logs export request, or nested too deep)',
  SW_RECEIVER_OVERLOADED: 'the receivers hold more records or bytes in flight than they may (max_records_in_flight, max_bytes_in_flight); the sender should retry later',
  SW_RECEIVER_LISTEN: 'a receiver cannot listen on its address (in use, not permitted, or not a valid address)',
  SW_RECEIVER_STATE: 'a receiver was started twice or after it was stopped',
  SW_WAL_IO: 'the write-ahead log of detector state cannot be written or synced (disk full, I/O error); the request is refused and leaves no trace',
  SW_OUTBOX_FULL: 'the alert outbox holds its max_alerts or max_bytes; the caller should stop intake until the sender catches up',
  SW_OUTBOX_LOCKED: 'the alert outbox folder is in use by another live secretwatch process (or another outbox in this process)',
  SW_OUTBOX_IO: 'the alert outbox cannot write, sync or read its files (disk full, permissions, damaged file)',
  SW_OUTBOX_CLOSED: 'an alert outbox was used after close()',
  SW_DEAD_LETTER_IO: 'the alert dead-letter file cannot be created, written or synced (disk full, permissions)',
  SW_EXPORT_CONFIG_INVALID: 'an alert export setting (an option or an OTEL_EXPORTER_OTLP_* variable) is not valid',
  SW_SENDER_STATE: 'an alert sender or event forwarder was started after it was stopped',
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
