import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Alert } from '../../../detectors/alerts/alert.js';
import { SecretwatchError } from '../../errors/codes.js';
import { nodeFiles, writeAll, type FileLayer } from '../../fs/file-layer.js';

/**
 * One line of the alert dead-letter file: an alert the backend refused for good, with why, so it
 * can be inspected and sent again once the cause is fixed (`alert` is the alert object exactly as
 * `replay --format jsonl` prints it).
 */
export interface DeadLetterLine {
  /** When it was dead-lettered, ISO 8601 UTC. */
  dead_lettered_at: string;
  /** `http_400`, `http_413`, `grpc_invalid_argument`... (see export-failure.ts). */
  reason: string;
  /** What the backend said, clipped. */
  detail: string;
  /** The sink that was refused: `otlp http/protobuf`... */
  sink: string;
  /** The alert's place in the outbox and when it entered it. */
  outbox_seq: number;
  appended_at: string;
  alert: Alert;
}

export const DEAD_LETTER_DEFAULTS = { max_bytes: 64 * 1024 * 1024 } as const;

export interface DeadLetterStats {
  /** Alerts written to the file. */
  stored: number;
  /** Alerts refused because the file holds `max_bytes` (they are lost; logged and counted). */
  dropped_full: number;
  /** Writes or syncs that failed (the alert stays in the outbox and is tried again). */
  write_errors: number;
  /** Size of the file. */
  bytes: number;
}

/**
 * Append-only JSON lines, each synced before the outbox lets go of its alert, and bounded by
 * `max_bytes`: past it a line is not written and `add` answers 'full', so a backend refusing
 * everything cannot fill the disk.
 */
export class DeadLetterFile {
  readonly stats: DeadLetterStats;

  private constructor(
    readonly path: string,
    private readonly maxBytes: number,
    bytes: number,
    private readonly files: FileLayer,
  ) {
    this.stats = { stored: 0, dropped_full: 0, write_errors: 0, bytes };
  }

  /** Creates the folder when missing and takes the size of an existing file. */
  static async open(path: string, maxBytes: number = DEAD_LETTER_DEFAULTS.max_bytes, files: FileLayer = nodeFiles): Promise<DeadLetterFile> {
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new SecretwatchError('SW_CONFIG_INVALID', `outbox.dead_letter_max_bytes must be a positive integer (got ${String(maxBytes)})`);
    }
    const full = resolvePath(path);
    try {
      await mkdir(dirname(full), { recursive: true });
      const size = await stat(full).then(
        (s) => s.size,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return 0;
          throw err;
        },
      );
      return new DeadLetterFile(full, maxBytes, size, files);
    } catch (err) {
      throw new SecretwatchError('SW_DEAD_LETTER_IO', `dead-letter file ${full}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Appends one line and syncs it. 'full' when it would pass `max_bytes` (nothing written);
   * rejects with SW_DEAD_LETTER_IO when the write or sync fails.
   */
  async add(line: DeadLetterLine): Promise<'stored' | 'full'> {
    const buf = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
    if (this.stats.bytes + buf.length > this.maxBytes) {
      this.stats.dropped_full++;
      return 'full';
    }
    const created = this.stats.bytes === 0;
    try {
      // Through the file layer, like the outbox: tests observe or fail the write and the sync.
      const handle = await this.files.open(this.path, 'a');
      try {
        await writeAll(handle, buf, this.stats.bytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      if (created) await this.files.syncDir(dirname(this.path));
    } catch (err) {
      this.stats.write_errors++;
      throw new SecretwatchError('SW_DEAD_LETTER_IO', `cannot append to the dead-letter file ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    this.stats.bytes += buf.length;
    this.stats.stored++;
    return 'stored';
  }
}
