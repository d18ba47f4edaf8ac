import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretwatchError } from '../errors/codes.js';

/** One input to read: a file path, or standard input. */
export type InputRef = { kind: 'file'; path: string; size: number } | { kind: 'stdin' };

/**
 * Expands command-line paths into inputs: files as given, directories recursively in name order
 * (so runs are repeatable), `-` as standard input. Hidden entries and Markdown files (a folder's
 * README) inside directories are skipped; a file named on the command line is always read.
 * A path given on the command line that does not exist is an error (SW_INPUT_NOT_FOUND); an
 * unreadable entry found while walking is reported to `onError` and skipped.
 */
export async function expandInputs(
  paths: readonly string[],
  onError: (path: string, err: SecretwatchError) => void,
): Promise<InputRef[]> {
  const out: InputRef[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ kind: 'stdin' });
      continue;
    }
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new SecretwatchError('SW_INPUT_NOT_FOUND', `input path does not exist: ${path}`);
      }
      throw new SecretwatchError('SW_INPUT_UNREADABLE', `cannot read input path ${path}: ${(err as Error).message}`);
    }
    if (info.isDirectory()) await walkDirectory(path, out, onError);
    else out.push({ kind: 'file', path, size: info.size });
  }
  return out;
}

async function walkDirectory(dir: string, out: InputRef[], onError: (path: string, err: SecretwatchError) => void): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    onError(dir, new SecretwatchError('SW_INPUT_UNREADABLE', `cannot list directory ${dir}: ${(err as Error).message}`));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name.endsWith('.md')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walkDirectory(full, out, onError);
    else if (entry.isFile()) {
      try {
        out.push({ kind: 'file', path: full, size: (await stat(full)).size });
      } catch (err) {
        onError(full, new SecretwatchError('SW_INPUT_UNREADABLE', `cannot read ${full}: ${(err as Error).message}`));
      }
    }
  }
}

export function inputName(ref: InputRef): string {
  return ref.kind === 'stdin' ? 'stdin' : ref.path;
}
