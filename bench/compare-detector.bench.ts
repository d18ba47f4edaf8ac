import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Detector } from '../detectors/detector.js';
import { defaultRulesDir, loadRules, type LoadedRule } from '../detectors/ruleset/load-rules.js';
import { packageRoot } from '../src/paths.js';
import { alternate, spreadRow } from './measure.js';
import { defaultAllowedLatenessMs, replayBenchInput, usPerEvent } from './replay.bench.js';
import type { BenchRow } from './types.js';

/** More rounds than other groups' five: this ratio is an acceptance figure and each round is only ~2 passes. */
const DEFAULT_ROUNDS = 9;

export interface CompareOptions {
  base?: string | undefined;
  rounds?: number | undefined;
}

/** The parts of the detector API the comparison uses, as the base revision must provide them. */
interface DetectorModule {
  Detector: new (options: { rules: readonly unknown[]; clock: () => number; allowedLatenessMs?: number }) => { process(event: unknown): unknown[] };
}
interface LoadRulesModule {
  loadRules(dir: string): { spec: { enabled: boolean } }[];
  defaultRulesDir(): string;
}

function git(root: string, args: string[]): string | undefined {
  const result = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The commit `rev` names; by default the merge-base of HEAD with main (or origin/main in a fresh clone). */
function resolveBase(root: string, rev: string | undefined): { commit: string; label: string } {
  const candidates = rev !== undefined ? [rev] : ['main', 'origin/main'];
  for (const name of candidates) {
    const commit = rev !== undefined ? git(root, ['rev-parse', '--verify', `${name}^{commit}`]) : git(root, ['merge-base', 'HEAD', name]);
    if (commit === undefined) continue;
    const label = rev !== undefined ? name : `merge-base of HEAD and ${name}`;
    // After a branch is merged, the merge-base is HEAD itself: say so, the comparison is then of the code with itself.
    return { commit, label: commit === git(root, ['rev-parse', 'HEAD']) ? `${label}, = HEAD` : label };
  }
  throw new Error(`compare-detector: cannot resolve ${rev ?? 'the merge-base of HEAD with main or origin/main'} in ${root}`);
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`compare-detector: ${what} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
}

/** Extracts `commit` into `dir/src` and compiles its detectors there; returns the compiled tree's root. */
function buildBase(root: string, commit: string, dir: string): string {
  const src = join(dir, 'src');
  mkdirSync(src);
  const tar = join(dir, 'base.tar');
  run('git', ['-C', root, 'archive', '--format=tar', '-o', tar, commit], root, `git archive ${commit}`);
  run('tar', ['-xf', tar, '-C', src], dir, 'tar -x');
  rmSync(tar);
  symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'), 'dir');
  // Only the detectors and what they import: the rest of the tree does not have to compile.
  const base = existsSync(join(src, 'tsconfig.build.json')) ? './tsconfig.build.json' : './tsconfig.json';
  writeFileSync(join(src, 'tsconfig.compare.json'), JSON.stringify({ extends: base, include: ['detectors'] }));
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.compare.json'], src, `tsc of ${commit}`);
  return src;
}

async function importFrom<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(file).href)) as T;
}

/**
 * `npm run bench -- compare-detector [--base REV] [--rounds N]`: `Detector.process` per event of
 * another revision's detectors (default: the merge-base of HEAD with main) against this
 * checkout's, on the replay bench's decoded events with every enabled built-in rule of each
 * revision, in alternating rounds. The base revision is taken with `git archive` into a temporary
 * directory, compiled there with its own tsconfig.build.json and this checkout's node_modules
 * (a symlink), and the directory is removed once its modules and rules are loaded (and on
 * Ctrl-C during the build). The ratio is taken per round: current us/event over base us/event.
 */
export async function runCompareDetectorBench(options: CompareOptions = {}): Promise<BenchRow[]> {
  const root = packageRoot();
  const base = resolveBase(root, options.base);
  const dir = mkdtempSync(join(tmpdir(), 'secretwatch-compare-'));
  const cleanUp = (): void => {
    // The symlink first, so that nothing can follow it into this checkout's node_modules.
    if (existsSync(join(dir, 'src', 'node_modules'))) unlinkSync(join(dir, 'src', 'node_modules'));
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUp();
    process.kill(process.pid, signal);
  };
  const stopWatching = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const started = process.hrtime.bigint();
    const src = buildBase(root, base.commit, dir);
    const buildSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const baseDetector = await importFrom<DetectorModule>(join(src, 'dist', 'detectors', 'detector.js'));
    const baseLoader = await importFrom<LoadRulesModule>(join(src, 'dist', 'detectors', 'ruleset', 'load-rules.js'));
    const baseRules = baseLoader.loadRules(baseLoader.defaultRulesDir()).filter((r) => r.spec.enabled);
    // Loaded: the base needs none of its files any more, so an interrupted run leaves nothing behind.
    cleanUp();
    stopWatching();
    const currentRules: LoadedRule[] = loadRules(defaultRulesDir()).filter((r) => r.spec.enabled);
    const { events } = replayBenchInput();
    const allowedLatenessMs = defaultAllowedLatenessMs();

    let baseInstance = new baseDetector.Detector({ rules: baseRules, clock: Date.now, allowedLatenessMs });
    let current = new Detector({ rules: currentRules, clock: Date.now, allowedLatenessMs });
    const alerts = { base: 0, current: 0 };
    const m = await alternate(
      [
        {
          prepare: () => {
            baseInstance = new baseDetector.Detector({ rules: baseRules, clock: Date.now, allowedLatenessMs });
            alerts.base = 0;
          },
          run: () => {
            for (const e of events) alerts.base += baseInstance.process(e).length;
          },
          items: events.length,
        },
        {
          prepare: () => {
            current = new Detector({ rules: currentRules, clock: Date.now, allowedLatenessMs });
            alerts.current = 0;
          },
          run: () => {
            for (const e of events) alerts.current += current.process(e).length;
          },
          items: events.length,
        },
      ],
      { rounds: options.rounds ?? DEFAULT_ROUNDS },
    );
    const head = git(root, ['rev-parse', '--short', 'HEAD']) ?? 'unknown';
    const dirty = (git(root, ['status', '--porcelain', '--', 'detectors']) ?? '') !== '' ? ' with uncommitted changes in detectors/' : '';
    const input = `${events.length.toLocaleString('en-US')} replay bench events`;
    return [
      spreadRow(
        'compare_detector.base',
        m.rate(0),
        'events/s',
        `${base.commit.slice(0, 10)} (${base.label}), ${baseRules.length} rules, ${input}, ${alerts.base} alerts; ${usPerEvent(m.cost(0, 1e6))}; built in ${buildSeconds.toFixed(0)} s`,
      ),
      spreadRow(
        'compare_detector.current',
        m.rate(1),
        'events/s',
        `this checkout (HEAD ${head}${dirty}), ${currentRules.length} rules, ${alerts.current} alerts; ${usPerEvent(m.cost(1, 1e6))}`,
      ),
      spreadRow('compare_detector.cost_ratio', m.ratio(0, 1), 'x base', 'current us/event over base us/event, per-round ratio; acceptance of issue 8: <= 1.25'),
    ];
  } finally {
    stopWatching();
    cleanUp();
  }
}
