import { readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Alert } from '../../detectors/alerts/alert.js';
import { SecretwatchError } from '../errors/codes.js';
import { Outbox } from '../export/outbox/outbox.js';
import { fsyncDir } from '../fs/fsync-dir.js';
import { resolveRunSettings, type RunFlags } from '../run/settings.js';

function isAlert(value: unknown): value is Alert {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  return typeof a.time === 'string' && typeof a.body === 'string' && typeof a.attributes === 'object' && a.attributes !== null;
}

/** The alerts of a dead-letter file; a line that holds none is an error naming its number. */
function alertsOf(path: string, text: string): Alert[] {
  const alerts: Alert[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let alert: unknown;
    try {
      alert = (JSON.parse(line) as { alert?: unknown }).alert;
    } catch {
      alert = undefined;
    }
    if (!isAlert(alert)) throw new SecretwatchError('SW_INPUT_UNREADABLE', `${path}:${i + 1} is not a dead-letter line with an alert; fix or remove it and run again`);
    alerts.push(alert);
  });
  return alerts;
}

/**
 * `secretwatch requeue`: puts the alerts of the dead-letter file back into the outbox, so that the
 * next `run` sends them again once the cause of the refusal is fixed. A running sidecar holds the
 * outbox lock: stop it first (SW_OUTBOX_LOCKED otherwise). All the alerts are appended and synced
 * in one go (all or none), and only then is the file renamed to `<file>.requeued-<time>`: a crash
 * in between sends them twice at worst (the backend drops duplicates by `secretwatch.alert.id`).
 */
export async function runRequeue(flags: RunFlags, now: () => number = Date.now): Promise<number> {
  const s = resolveRunSettings(flags);
  const path = s.deadLetterFile;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`requeue: no dead-letter file at ${path}; nothing to do\n`);
      return 0;
    }
    throw new SecretwatchError('SW_INPUT_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const alerts = alertsOf(path, text);
  const outbox = await Outbox.open({ dir: s.outboxDir, ...(s.config.outbox.max_bytes === undefined ? {} : { max_bytes: s.config.outbox.max_bytes }), ...(s.config.outbox.max_alerts === undefined ? {} : { max_alerts: s.config.outbox.max_alerts }) });
  try {
    await outbox.append(alerts);
  } finally {
    await outbox.close();
  }
  const moved = `${path}.requeued-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, moved);
  await fsyncDir(dirname(path));
  process.stderr.write(`requeue: ${alerts.length} alert(s) from ${path} are back in the outbox ${s.outboxDir}; the file is now ${moved}\n`);
  return 0;
}
