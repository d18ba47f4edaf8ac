/**
 * Deepest AnyValue nesting accepted in a request (a kvlist in a kvlist... counts one per level).
 *
 * Audit records nest about ten levels; 64 leaves room for odd request payloads while keeping a
 * hostile request (100,000 levels) from costing stack or memory. The same bound applies to
 * protobuf and JSON so that a request is valid or not whatever its encoding.
 */
export const MAX_ANY_VALUE_DEPTH = 64;

/**
 * protobufjs's own message-nesting bound (default 100, like protoc). A body AnyValue sits four
 * messages deep and each AnyValue level adds up to three (AnyValue > KeyValueList > KeyValue), so
 * the default would cap bodies at about 32 levels; this admits MAX_ANY_VALUE_DEPTH with margin.
 */
export const PROTOBUF_RECURSION_LIMIT = 8 + 3 * MAX_ANY_VALUE_DEPTH;
