import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin', 'secretwatch.js');

/** Peak resident set of a live process so far (VmHWM), bytes; 0 when it cannot be read. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/**
 * `secretwatch run --config FILE` as a child process: started, killed with SIGKILL, restarted on
 * the same config (same ports and state), stopped with SIGTERM. Tracks the peak RSS over every
 * process it started (sampled, and read once more just before a kill).
 */
export class SoakChild {
  peakRssBytes = 0;
  private proc: ChildProcess | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private stderrTail = '';

  constructor(private readonly configFile: string) {}

  async start(): Promise<void> {
    const proc = spawn(process.execPath, [BIN, 'run', '--config', this.configFile], {
      env: { ...process.env, METADATA_SERVER_DETECTION: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: '', SECRETWATCH_TOKEN: undefined },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`secretwatch not ready after 30 s: ${this.stderrTail}`)), 30_000);
      proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        this.stderrTail = (this.stderrTail + chunk).slice(-4000);
        if (chunk.includes('"msg":"secretwatch is ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`secretwatch exited with ${code}: ${this.stderrTail}`));
      });
    });
    this.sampler = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    if (this.proc?.pid !== undefined && this.proc.exitCode === null) this.peakRssBytes = Math.max(this.peakRssBytes, peakRss(this.proc.pid));
  }

  /** kill -9, as a crash would. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** SIGTERM; resolves to the exit code. */
  async stop(): Promise<number | null> {
    return this.end('SIGTERM');
  }

  private async end(signal: NodeJS.Signals): Promise<number | null> {
    const proc = this.proc;
    clearInterval(this.sampler);
    if (proc === undefined || proc.exitCode !== null) return proc?.exitCode ?? null;
    this.sample();
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill(signal);
    return exited;
  }
}
