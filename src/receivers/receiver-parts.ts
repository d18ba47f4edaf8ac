import { SecretwatchError } from '../errors/codes.js';
import { BearerAuth } from './bearer-auth.js';
import { parseEndpoint, type Endpoint } from './endpoint.js';
import { LogsExportHandler } from './export-handler.js';
import { Intake } from './intake.js';
import { ReceiverStats } from './receiver-stats.js';
import type { ReceiverDeps } from './receiver.js';

export type ReceiverState = 'new' | 'starting' | 'listening' | 'stopping' | 'stopped';

/** What both OTLP receivers build the same way from their config and dependencies. */
export interface ReceiverParts {
  stats: ReceiverStats;
  intake: Intake;
  auth: BearerAuth | undefined;
  exporter: LogsExportHandler;
}

export function receiverParts(
  name: string,
  deps: ReceiverDeps,
  config: { max_records_in_flight: number; max_bytes_in_flight: number; bearer_token: string | undefined },
): ReceiverParts {
  const stats = deps.stats ?? new ReceiverStats();
  const intake = deps.intake ?? new Intake(config.max_records_in_flight, config.max_bytes_in_flight);
  return {
    stats,
    intake,
    auth: config.bearer_token === undefined ? undefined : new BearerAuth(config.bearer_token),
    exporter: new LogsExportHandler({
      receiver: name,
      consumer: deps.consumer,
      intake,
      stats,
      ...(deps.createDecoder !== undefined ? { createDecoder: deps.createDecoder } : {}),
      ...(deps.onError !== undefined ? { onError: deps.onError } : {}),
    }),
  };
}

/** The endpoint to bind, or the typed error `listen()` rejects with: a receiver starts once. */
export function listenEndpoint(name: string, state: ReceiverState, address: string): Endpoint {
  if (state !== 'new') {
    throw new SecretwatchError('SW_RECEIVER_STATE', `${name} receiver: listen() called while ${state}; a receiver starts once`);
  }
  return parseEndpoint(address, `${name} listen address`);
}
