import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../support/cli.js';

/** A `secretwatch run` child process, with the ports it reported once ready. */
export interface SidecarProcess {
  proc: ChildProcess;
  otlpHttpPort: number;
  otlpGrpcPort: number;
  httpPort: number;
  logs: Record<string, unknown>[];
  stdout: () => string;
  exited: Promise<number | null>;
}

function portOf(address: unknown): number {
  const text = String(address);
  return Number(text.slice(text.lastIndexOf(':') + 1));
}

/**
 * Starts the built CLI (`npm test` builds dist/ first) with every listener on port 0 and waits
 * for its "ready" log line, which names the bound ports.
 */
export function startSidecar(args: readonly string[], env: NodeJS.ProcessEnv): Promise<SidecarProcess> {
  const proc = spawn(
    process.execPath,
    [join(repoRoot, 'bin', 'secretwatch.js'), 'run', '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', ...args],
    { cwd: repoRoot, env: { ...process.env, METADATA_SERVER_DETECTION: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  let stdout = '';
  let stderrTail = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sidecar not ready after 20 s; stderr: ${stderrTail}`)), 20_000);
    let buffered = '';
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        logs.push(entry);
        if (entry.msg === 'secretwatch is ready') {
          clearTimeout(timer);
          resolve({
            proc,
            otlpHttpPort: portOf(entry.otlp_http),
            otlpGrpcPort: portOf(entry.otlp_grpc),
            httpPort: portOf(entry.http),
            logs,
            stdout: () => stdout,
            exited,
          });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sidecar exited with ${code} before it was ready; stderr: ${stderrTail}`));
    });
  });
}
