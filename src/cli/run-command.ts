import { isSecretwatchError } from '../errors/codes.js';
import { createLogger } from '../telemetry/logger.js';
import { resolveRunSettings, type RunFlags } from '../run/settings.js';
import { Sidecar } from '../run/sidecar.js';

/**
 * `secretwatch run`: the long-running sidecar. Configuration errors throw before anything starts
 * (exit code 2, message naming the key); SIGTERM / SIGINT stop it cleanly with exit code 0.
 */
export async function runSidecar(flags: RunFlags): Promise<number> {
  const settings = resolveRunSettings(flags);
  const log = createLogger(settings.config.log.level);
  const sidecar = new Sidecar(settings, log);
  try {
    await sidecar.start();
  } catch (err) {
    // The stable code (SW_STATE_CORRUPT, SW_OUTBOX_LOCKED...) beside the message, for scripts and alerts.
    log.fatal({ err: (err as Error).message, ...(isSecretwatchError(err) ? { code: err.code } : {}) }, 'could not start');
    await sidecar.stop().catch(() => undefined);
    return 1;
  }
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'received signal');
      // A second signal, or a shutdown past its timeout, ends the process at once.
      const force = setTimeout(() => {
        log.error('shutdown took too long; exiting');
        resolve(1);
      }, settings.shutdownTimeoutMs + 5_000);
      force.unref();
      process.once('SIGINT', () => resolve(130));
      sidecar.stop().then(
        () => resolve(0),
        (err: Error) => {
          log.error({ err: err.message }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
}

/** `secretwatch validate`: everything `run` checks at start-up, without starting. */
export function validateConfig(flags: RunFlags): number {
  const s = resolveRunSettings(flags);
  const lines = [
    `configuration ${flags.config ?? '(defaults)'} is valid`,
    `  otlp http receiver: ${s.otlpHttp?.endpoint ?? 'off'}${s.otlpHttp?.bearer_token !== undefined ? ' (bearer token required)' : ''}`,
    `  otlp grpc receiver: ${s.otlpGrpc?.endpoint ?? 'off'}${s.otlpGrpc?.bearer_token !== undefined ? ' (bearer token required)' : ''}`,
    `  health and metrics: ${s.httpEndpoint}`,
    `  alerts to:          ${s.otlpExport !== undefined ? `${s.otlpExport.resolved.protocol} ${s.otlpExport.resolved.url}` : 'stdout (JSON lines)'}`,
    `  state:              ${s.stateDir} (outbox ${s.outboxDir}, dead letters ${s.deadLetterFile})`,
    `  rules:              ${s.rules.length} from ${s.rulesDir}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
