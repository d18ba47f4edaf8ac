import { allFormats } from '../../normalizers/index.js';
import { Decoder } from '../decode/decoder.js';
import { DecodeStats } from '../decode/stats.js';
import type { DecodeSink } from '../decode/sink.js';
import { deadLetterLine } from '../io/dead-letter.js';
import { LineWriter } from '../io/line-writer.js';
import { decodeInputs } from '../input/decode-inputs.js';
import { expandInputs } from '../input/walk.js';
import { Progress } from './progress.js';
import { formatDecodeSummary } from './summary.js';

export interface NormalizeOptions {
  deadLetter?: string;
  quiet?: boolean;
}

/**
 * `secretwatch normalize PATH...`: normalized events as JSON lines on stdout, a summary on stderr.
 * Returns the exit code: 0, or 1 when some input could not be read.
 */
export async function runNormalize(paths: readonly string[], options: NormalizeOptions): Promise<number> {
  const refs = await expandInputs(paths.length > 0 ? paths : ['-'], reportError);
  const out = new LineWriter(process.stdout);
  const deadLetter = options.deadLetter !== undefined ? await LineWriter.toFile(options.deadLetter) : undefined;
  const sink: DecodeSink = {
    event: (event) => out.write(JSON.stringify(event)),
    rejection: (rejection) => deadLetter?.write(deadLetterLine(rejection)),
    unrelated: () => undefined,
  };
  const stats = new DecodeStats(sink);
  const decoder = new Decoder(allFormats, stats);
  const totalBytes = refs.reduce((n, r) => n + (r.kind === 'file' ? r.size : 0), 0);
  const progress = new Progress(totalBytes);
  let failed = 0;
  const run = await decodeInputs(refs, decoder, {
    afterUnit: async () => {
      await out.flushIfFull();
      await deadLetter?.flushIfFull();
    },
    onBytes: (bytes, records) => progress.update(bytes, `${records} records, ${stats.events} secret events`),
    onError: (path, err) => {
      failed++;
      reportError(path, err);
    },
  });
  progress.done();
  await out.close();
  await deadLetter?.close();
  if (options.quiet !== true) process.stderr.write(`${formatDecodeSummary('normalize', run, stats)}\n`);
  return failed > 0 ? 1 : 0;
}

function reportError(_path: string, err: Error & { code?: string }): void {
  process.stderr.write(`secretwatch: ${err.message}${err.code ? ` [${err.code}]` : ''}\n`);
}
