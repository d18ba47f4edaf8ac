import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { isSecretwatchError } from '../errors/codes.js';
import { packageRoot } from '../paths.js';
import { runNormalize } from './normalize-command.js';
import type { RunFlags } from '../run/settings.js';
import { runReplay, type ReplayCommandOptions } from './replay-command.js';
import { runRequeue } from './requeue-command.js';
import { runRulesTest } from './rules-test-command.js';
import { runSidecar, validateConfig } from './run-command.js';
import { packageVersion } from './version.js';

/** Exit codes: 0 ok, 1 some input, output or rule test failed, 2 usage or configuration error. */
export const EXIT_USAGE = 2;

/** Error codes that are failures at run time (exit 1); every other typed error is a usage or configuration error (exit 2). */
const RUNTIME_ERRORS: ReadonlySet<string> = new Set([
  'SW_INPUT_UNREADABLE',
  'SW_OUTPUT_UNWRITABLE',
  'SW_STATE_UNREADABLE',
  'SW_STATE_CORRUPT',
  'SW_WAL_IO',
  'SW_OUTBOX_IO',
  'SW_OUTBOX_LOCKED',
  'SW_OUTBOX_FULL',
  'SW_DEAD_LETTER_IO',
]);


function replayOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'alert output: jsonl, otlp-json, or table (default: table on a terminal, else jsonl)').choices(['jsonl', 'otlp-json', 'table']))
    .option('--rules <dir>', 'folder of rule files (default: the built-in rules)')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--state-dir <dir>', 'load detector state from DIR before, save it after')
    .option('--no-learning', 'let first-seen rules alert at once instead of learning for their learning period')
    .option('-q, --quiet', 'no summary on stderr');
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('secretwatch')
    .description('Catch credential theft from cloud secret stores (AWS, GCP, Azure) in audit logs.\nWithout a command, replays the bundled demo.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError()
    .action(async () => {
      process.exitCode = await runDemo();
    });

  program
    .command('normalize')
    .description('decode audit records (files, directories, - for stdin) into normalized secret-access events as JSON lines')
    .argument('[paths...]', 'files or directories (recursive); - reads standard input', [])
    .option('--dead-letter <file>', 'write every rejected input with its reason to FILE as JSON lines')
    .option('-q, --quiet', 'do not print the summary on stderr')
    .action(async (paths: string[], opts: { deadLetter?: string; quiet?: boolean }) => {
      process.exitCode = await runNormalize(paths, opts);
    });

  replayOptions(
    program
      .command('replay')
      .description('score audit records (files, directories, - for stdin) in event-time order and print the alerts')
      .argument('<paths...>', 'files or directories (recursive); - reads standard input'),
  ).action(async (paths: string[], opts: ReplayCommandOptions) => {
    process.exitCode = await runReplay(paths, opts);
  });

  program
    .command('baseline')
    .description('learn normal behaviour from history into the state folder, so first-seen rules need no learning period')
    .argument('<paths...>', 'files or directories of past audit records')
    .requiredOption('--state-dir <dir>', 'folder to save the detector state in')
    .option('--rules <dir>', 'folder of rule files (default: the built-in rules)')
    .option('--config <file>', 'configuration file (YAML)')
    .option('-q, --quiet', 'no summary on stderr')
    .action(async (paths: string[], opts: ReplayCommandOptions) => {
      process.exitCode = await runReplay(paths, { ...opts, baseline: true });
    });

  const sidecarOptions = (command: Command): Command =>
    command
      .option('--config <file>', 'configuration file (YAML); without it, the safe local defaults')
      .option('--otlp-http-listen <host:port>', 'OTLP/HTTP logs receiver address (default 127.0.0.1:14318)')
      .option('--otlp-grpc-listen <host:port>', 'OTLP/gRPC logs receiver address (default 127.0.0.1:14317)')
      .option('--http-listen <host:port>', 'health and metrics address (default 127.0.0.1:14320)')
      .option('--state-dir <dir>', 'detector state and alert outbox folder (default ./.secretwatch)')
      .option('--rules <dir>', 'folder of rule files (default: the built-in rules)');

  sidecarOptions(
    program.command('run').description('run the sidecar: OTLP logs in from a Collector, alerts out as OTLP logs'),
  ).action(async (opts: RunFlags) => {
    const code = await runSidecar(opts);
    // Exporter channels and keep-alive sockets can hold the event loop open for a while after a
    // clean shutdown; the sidecar promises a bounded exit, so it ends once stdout is flushed.
    process.stdout.write('', () => process.exit(code));
  });

  sidecarOptions(
    program.command('validate').description('check a configuration (and the rules it names) without running'),
  ).action((opts: RunFlags) => {
    process.exitCode = validateConfig(opts);
  });

  program
    .command('requeue')
    .description('put the alerts of the dead-letter file back into the outbox, for the next `run` to send (stop the sidecar first)')
    .option('--config <file>', 'configuration file (YAML)')
    .option('--state-dir <dir>', 'state folder (default: the configuration, SECRETWATCH_STATE_DIR, or ./.secretwatch)')
    .action(async (opts: Pick<RunFlags, 'config' | 'stateDir'>) => {
      process.exitCode = await runRequeue(opts);
    });

  program
    .command('rules')
    .description('work with rule files')
    .command('test')
    .description("run every rule's inline tests")
    .option('--rules <dir>', 'folder of rule files (default: the built-in rules)')
    .action(async (opts: { rules?: string }) => {
      process.exitCode = await runRulesTest(opts.rules);
    });

  return program;
}

/** `secretwatch` alone (`npm start`): replay the bundled demo and say how to go further. */
async function runDemo(): Promise<number> {
  const demo = join(packageRoot(), 'fixtures', 'demo');
  process.stderr.write(`secretwatch ${packageVersion()}: replaying the bundled demo (${demo})\n\n`);
  const code = await runReplay([demo], {});
  process.stderr.write(
    [
      '',
      'Next steps:',
      '  secretwatch replay <files or dirs>      score your own exported CloudTrail / GCP / Azure audit logs',
      '  secretwatch normalize <files or dirs>   see the normalized events the rules work on',
      '  secretwatch rules test                  run the rules\' inline tests (rules live in detectors/rules/)',
      '  secretwatch --help                      every command and option',
      '',
    ].join('\n'),
  );
  return code;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
      return;
    }
    if (isSecretwatchError(err)) {
      process.stderr.write(`secretwatch: ${err.message} [${err.code}]\n`);
      process.exitCode = RUNTIME_ERRORS.has(err.code) ? 1 : EXIT_USAGE;
      return;
    }
    throw err;
  }
}
