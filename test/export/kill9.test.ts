import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/export/outbox/outbox.js';
import { AlertSender } from '../../src/export/sender/alert-sender.js';
import { OtlpAlertSink } from '../../src/export/sinks/otlp-sink.js';
import { OtlpTestReceiver } from '../support/otlp-receiver.js';
import { repoRoot } from '../support/cli.js';

/**
 * The promise of the outbox, end to end: a process that appends alerts and exports them is killed
 * with SIGKILL while an export is in flight (and appends are being written); after a restart on
 * the same folder, every alert whose append had resolved reaches the backend at least once.
 */
const child = join(repoRoot, 'test', 'support', 'outbox-kill-child.mjs');
const built = join(repoRoot, 'dist', 'src', 'export', 'sender', 'alert-sender.js');

let receiver: OtlpTestReceiver;
beforeAll(async () => {
  receiver = await OtlpTestReceiver.start();
});
afterAll(async () => {
  await receiver.stop();
});

function exited(proc: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.signalCode);
    else proc.once('exit', (_code, signal) => resolve(signal));
  });
}

describe('alerts survive kill -9', () => {
  it('re-delivers every durably appended alert after the process is killed mid-export', async () => {
    expect(existsSync(built), 'dist/ is missing: run `npm run build` (npm test does it first)').toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'sw-kill9-'));
    try {
      const proc = spawn(process.execPath, [child, dir, receiver.httpUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const appendedLines = (): number => stdout.split('\n').filter((l) => l.startsWith('appended ')).length;

      // Some exports succeed, then the backend stops answering: the next export hangs in flight.
      await receiver.waitFor(() => receiver.logs.length > 0 || proc.exitCode !== null, 20_000, 'a first export');
      expect(stderr).toBe('');
      receiver.mode = 'hold';
      await receiver.waitFor(() => receiver.heldCount > 0 && appendedLines() >= 200, 20_000, 'an export in flight and 200 appends');
      proc.kill('SIGKILL');
      expect(await exited(proc)).toBe('SIGKILL');
      receiver.release(false);
      receiver.mode = 'ok';

      // Only whole lines count: the last one may have been cut by the kill.
      const durable = stdout
        .split('\n')
        .slice(0, -1)
        .filter((l) => l.startsWith('appended '))
        .flatMap((l) => l.slice('appended '.length).split(','));
      expect(durable.length).toBeGreaterThanOrEqual(1_000);
      const deliveredBefore = receiver.alertIds().size;
      expect(deliveredBefore).toBeLessThan(durable.length);

      // The restart: a new outbox and sender on the same folder.
      const outbox = await Outbox.open({ dir });
      expect(outbox.stats.recovered).toBeGreaterThanOrEqual(durable.length - deliveredBefore);
      const sender = new AlertSender(outbox, OtlpAlertSink.create({ endpoint: receiver.httpUrl, timeout_millis: 2_000 }, {}));
      sender.start();
      await receiver.waitFor(() => outbox.depth().alerts === 0, 30_000, 'the recovered outbox to drain');
      await sender.stop();
      await outbox.close();

      const ids = receiver.alertIds();
      const missing = durable.filter((id) => !ids.has(id));
      expect(missing).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
