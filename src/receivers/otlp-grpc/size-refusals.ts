import { ServerInterceptingCall, status, type ServerInterceptingCallInterface, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';
import type { ReceiverStats } from '../receiver-stats.js';

/** grpc-js's own words when a message passes `grpc.max_receive_message_length` (as sent or inflated). */
const SIZE_REFUSAL = /^Received message (larger than max|that decompresses to a size larger than)/;

/**
 * Counts the requests grpc-js refuses for size before our handler sees them, as `too_large`, like
 * the HTTP receiver's 413s. grpc-js answers those itself (RESOURCE_EXHAUSTED, no RetryInfo) from
 * the call it hands to the first interceptor (not through the interceptor chain), so this
 * interceptor watches that call's statuses and passes everything else through unchanged. A test
 * sends an oversized message and reads the count, should grpc-js change this.
 */
export function countSizeRefusals(stats: ReceiverStats): ServerInterceptor {
  return (_method, call: ServerInterceptingCallInterface) => {
    const send = call.sendStatus.bind(call);
    call.sendStatus = (sent: PartialStatusObject): void => {
      if (sent.code === status.RESOURCE_EXHAUSTED && SIZE_REFUSAL.test(sent.details ?? '')) stats.tooLarge++;
      send(sent);
    };
    return new ServerInterceptingCall(call);
  };
}

type PartialStatusObject = Pick<StatusObject, 'code' | 'details'> & { metadata?: StatusObject['metadata'] | null };
