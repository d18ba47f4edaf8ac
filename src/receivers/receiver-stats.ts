/**
 * What a receiver did, for the metrics endpoint (read the fields; nothing here resets them).
 * Counters only grow. One instance per receiver, or one shared by several for combined totals.
 *
 * Suggested metric names: `secretwatch_receiver_requests_total{receiver}`,
 * `..._log_records_total`, `..._events_total`, `..._rejected_total{reason}`,
 * `..._refused_requests_total{reason=unauthorized|too_large|overloaded|malformed|unsupported|unavailable}`.
 */
export class ReceiverStats {
  /** Every request that reached the receiver, whatever its outcome. */
  requests = 0;
  /** Log records in requests that were decoded and ingested. */
  records = 0;
  /** Normalized secret access events handed to the consumer. */
  events = 0;
  /** Well-formed audit records that are not secret accesses. */
  unrelated = 0;
  /** Log records reported back as rejected (`rejected_log_records` of partial successes). */
  rejectedRecords = 0;
  /** Decoder rejections by reason (`unknown_format`, `invalid_json`...; an empty body is `malformed_record`). */
  readonly rejectedByReason = new Map<string, number>();
  /** Requests refused: missing or wrong bearer token. */
  unauthorized = 0;
  /** Requests refused: body or decompressed body over the limit (HTTP 413). */
  tooLarge = 0;
  /** Requests refused: too many records in flight (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
  overloaded = 0;
  /** Requests refused: body not decodable as an OTLP logs request (HTTP 400, gRPC INVALID_ARGUMENT). */
  malformed = 0;
  /** Requests refused: wrong path, method, content type or content encoding (HTTP 404/405/415). */
  unsupported = 0;
  /** Requests refused: the consumer failed or the receiver is stopping (HTTP 503, gRPC UNAVAILABLE). */
  unavailable = 0;

  countRejection(reason: string): void {
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + 1);
  }
}
